package dev.treeline.scheduler.alerts;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Sends each alert as a plain-text e-mail over SMTP, upgraded with STARTTLS (required unless turned off) and
 * authenticated with a password from the environment or a file. The password is handed to the transport only,
 * never logged or put in a message. {@code caFile} trusts a private CA (the system's CAs otherwise).
 */
public final class EmailChannel implements AlertChannel {
    public record Smtp(String host, int port, boolean starttls, String user, String password, String from, List<String> to, Path caFile,
                       Duration timeout) {
        @Override
        public String toString() {
            return "smtp " + host + ":" + port; // never the password
        }
    }

    private final Smtp smtp;
    private final Session session;

    public EmailChannel(Smtp smtp) {
        this.smtp = smtp;
        Properties p = new Properties();
        String ms = Long.toString(smtp.timeout().toMillis());
        p.put("mail.smtp.host", smtp.host());
        p.put("mail.smtp.port", Integer.toString(smtp.port()));
        p.put("mail.smtp.connectiontimeout", ms);
        p.put("mail.smtp.timeout", ms);
        p.put("mail.smtp.writetimeout", ms);
        p.put("mail.smtp.auth", Boolean.toString(smtp.user() != null));
        if (smtp.starttls()) {
            p.put("mail.smtp.starttls.enable", "true");
            p.put("mail.smtp.starttls.required", "true");
            p.put("mail.smtp.ssl.checkserveridentity", "true");
            if (smtp.caFile() != null) p.put("mail.smtp.ssl.socketFactory", trusting(smtp.caFile()).getSocketFactory());
        }
        this.session = Session.getInstance(p);
    }

    @Override
    public String describe() {
        return "email to " + smtp.to().size() + " recipient(s) via " + smtp.host();
    }

    @Override
    public void send(Alert alert) throws MessagingException {
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress(smtp.from()));
        for (String to : smtp.to()) m.addRecipient(Message.RecipientType.TO, new InternetAddress(to));
        m.setSubject(alert.title() + ": " + firstLine(alert.summary()), "UTF-8");
        m.setHeader("X-Treeline-Incident", alert.key());
        m.setHeader("X-Treeline-Status", alert.status().label());
        m.setSentDate(Date.from(alert.at()));
        m.setText(alert.text(), "UTF-8");
        if (smtp.user() != null) Transport.send(m, smtp.user(), smtp.password());
        else Transport.send(m);
    }

    private static String firstLine(String s) {
        String line = s.lines().findFirst().orElse("");
        return line.length() > 150 ? line.substring(0, 150) + "..." : line;
    }

    /** An SSL context trusting the certificates in a PEM file. */
    static SSLContext trusting(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) ks.setCertificateEntry("ca-" + i++, c);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read the CA certificates in " + pem + ": " + e.getMessage(), e);
        }
    }
}
