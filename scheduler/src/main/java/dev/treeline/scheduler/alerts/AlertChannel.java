package dev.treeline.scheduler.alerts;

/** Where notifications go: a webhook or e-mail. Each send is one attempt with a timeout; nothing is resent blindly. */
public interface AlertChannel {
    /** For the controller's log, e.g. {@code webhook} or {@code email to 2 recipient(s)}; never a secret. */
    String describe();

    void send(Alert alert) throws Exception;
}
