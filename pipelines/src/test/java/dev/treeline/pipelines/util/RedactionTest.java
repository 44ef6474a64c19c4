package dev.treeline.pipelines.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class RedactionTest {
    @Test
    void secretsInUrlsAreMaskedWhateverTheirCase() {
        assertEquals("jdbc:sqlserver://db:1433;databaseName=x;user=svc;Password=***;encrypt=true",
                Redaction.url("jdbc:sqlserver://db:1433;databaseName=x;user=svc;Password=s3cr3t;encrypt=true"));
        assertEquals("jdbc:postgresql://db/treeline?user=u&PASSWORD=***&ssl=true", Redaction.url("jdbc:postgresql://db/treeline?user=u&PASSWORD=pw&ssl=true"));
        assertEquals("postgresql://treeline:***@db:5432/mlflow", Redaction.url("postgresql://treeline:p%40ss@db:5432/mlflow"));
        assertEquals("https://h/x?token=***&a=1&X-Amz-Credential=***&X-Amz-Signature=***",
                Redaction.url("https://h/x?token=abc&a=1&X-Amz-Credential=AKIA/2026&X-Amz-Signature=f00"));
        assertEquals("jdbc:mysql://h/d?sslpassword=***;api_key=***", Redaction.url("jdbc:mysql://h/d?sslpassword=a;api_key=b"));
    }

    @Test
    void urlsWithoutSecretsAreUnchanged() {
        for (String u : new String[] {"jdbc:h2:file:/ws/scheduler/treeline;AUTO_SERVER=TRUE", "jdbc:postgresql://127.0.0.1:5432/treeline?user=treeline",
                "s3a://bucket/data/part-0.parquet", "http://127.0.0.1:5000", "file:/tmp/x"}) {
            assertEquals(u, Redaction.url(u));
        }
        assertNull(Redaction.url(null));
    }

    @Test
    void aDriversMessageWithTheUrlInItIsMaskedToo() {
        assertEquals("Connection to jdbc:postgresql://h/db?password=*** refused", Redaction.text("Connection to jdbc:postgresql://h/db?password=hunter2 refused"));
    }
}
