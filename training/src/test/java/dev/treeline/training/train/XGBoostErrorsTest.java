package dev.treeline.training.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class XGBoostErrorsTest {
    /** What XGBoost4J-Spark 3.4's tracker threw when a worker was SIGKILLed mid-round (SparkClusterIT). */
    static final String TRACKER = """
        [02:41:38] /workspace/src/collective/result.cc:83: [coll_c_api.cc:96|02:41:38]:

        - [tracker.cc:307|02:41:38]: Failed to accept connection.
        - [socket.h:79|02:41:38]: Invalid polling request.
        Stack trace:
          [bt] (0) /tmp/libxgboost4j.so(dmlc::LogMessageFatal::~LogMessageFatal()+0x6e) [0x7f484f22559e]
        """;

    @Test
    void theReasonsOfANativeErrorBecomeOneLine() {
        assertEquals("Failed to accept connection.; Invalid polling request. (an XGBoost worker stopped: a lost Spark executor or a killed task)",
                XGBoostErrors.summary(new RuntimeException("wrapped", new Exception(TRACKER))));
    }

    @Test
    void aLostExecutorIsNamedAndAPlainMessageLosesItsSourcePosition() {
        Exception e = new RuntimeException("Job aborted", new RuntimeException("Task 0 in stage 9.0 failed: ExecutorLostFailure (executor 1 exited)"));
        assertEquals("Job aborted (a Spark executor was lost)", XGBoostErrors.summary(e));
        assertEquals("bad parameter", XGBoostErrors.summary(new RuntimeException("[10:00:00] /src/learner.cc:12: bad parameter\nStack trace:")));
    }
}
