package dev.treeline.registry.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A byte-level HTTP/1.1 proxy in front of a real S3 API (the local stack's S3Proxy) that answers chosen
 * requests with S3's throttling reply, {@code 503 SlowDown}, instead of forwarding them. Requests are
 * relayed byte for byte (Host and every signed header unchanged, so signatures still verify), keep-alive
 * and {@code Expect: 100-continue} included, so the client's own retry logic meets the fault as it would
 * meet it from AWS.
 */
public final class S3FaultProxy implements AutoCloseable {
    private static final byte[] SLOW_DOWN = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code>"
            + "<Message>Please reduce your request rate.</Message></Error>").getBytes(StandardCharsets.US_ASCII);

    private final ServerSocket server;
    private final String upstreamHost;
    private final int upstreamPort;
    private final Map<String, AtomicInteger> failuresLeftByKey = new ConcurrentHashMap<>();
    private volatile Predicate<String> target = r -> false;
    private volatile int failuresPerKey;
    public final AtomicInteger injected = new AtomicInteger();
    public final AtomicInteger forwarded = new AtomicInteger();

    public S3FaultProxy(String upstream) throws IOException {
        java.net.URI u = java.net.URI.create(upstream);
        upstreamHost = u.getHost();
        upstreamPort = u.getPort();
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::accept, "s3-fault-proxy");
        accept.setDaemon(true);
        accept.start();
    }

    /** Requests ("METHOD /path") matching {@code which} get {@code times} SlowDown replies each before one is forwarded. */
    public S3FaultProxy slowDown(Predicate<String> which, int times) {
        failuresPerKey = times;
        failuresLeftByKey.clear();
        target = which;
        return this;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Thread t = new Thread(() -> serve(client), "s3-fault-proxy-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client; Socket upstream = new Socket(upstreamHost, upstreamPort)) {
            client.setSoTimeout(120_000);
            upstream.setSoTimeout(120_000);
            InputStream cin = client.getInputStream();
            OutputStream cout = client.getOutputStream();
            InputStream uin = upstream.getInputStream();
            OutputStream uout = upstream.getOutputStream();
            while (true) {
                Head req = Head.read(cin);
                if (req == null) return;
                String[] line = req.first.split(" ");
                String request = line[0] + " " + line[1].split("\\?")[0];
                long length = req.contentLength();
                boolean expectContinue = "100-continue".equalsIgnoreCase(req.header("expect"));
                if (inject(request)) {
                    if (expectContinue) {
                        // The client holds its body until told to go on: refuse it now and end the connection.
                        reply(cout, true);
                        return;
                    }
                    cin.readNBytes((int) Math.max(0, length));
                    reply(cout, false);
                    continue;
                }
                forwarded.incrementAndGet();
                uout.write(req.bytes);
                uout.flush();
                Head resp;
                if (expectContinue && length > 0) {
                    resp = Head.read(uin);
                    if (resp != null && resp.status() == 100) {
                        cout.write(resp.bytes);
                        cout.flush();
                        copy(cin, uout, length);
                        resp = Head.read(uin);
                    } else {
                        // The server answered before the body: relay that and end the connection (the body was never sent).
                        relay(resp, uin, cout, line[0]);
                        return;
                    }
                } else {
                    copy(cin, uout, length);
                    resp = Head.read(uin);
                }
                while (resp != null && resp.status() / 100 == 1) {
                    cout.write(resp.bytes);
                    resp = Head.read(uin);
                }
                if (resp == null) return;
                if (!relay(resp, uin, cout, line[0])) return;
            }
        } catch (IOException e) {
            // a client or server closing its end ends the relay
        }
    }

    private boolean inject(String request) {
        if (!target.test(request)) return false;
        AtomicInteger left = failuresLeftByKey.computeIfAbsent(request, k -> new AtomicInteger(failuresPerKey));
        if (left.getAndDecrement() <= 0) return false;
        injected.incrementAndGet();
        return true;
    }

    private static void reply(OutputStream out, boolean close) throws IOException {
        String head = "HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: " + SLOW_DOWN.length + "\r\n"
                + (close ? "Connection: close\r\n" : "") + "\r\n";
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(SLOW_DOWN);
        out.flush();
    }

    /** Relays a response and its body; false when the connection ends with it. */
    private static boolean relay(Head resp, InputStream in, OutputStream out, String method) throws IOException {
        out.write(resp.bytes);
        int status = resp.status();
        boolean noBody = method.equals("HEAD") || status == 204 || status == 304;
        if (!noBody) {
            if ("chunked".equalsIgnoreCase(resp.header("transfer-encoding"))) {
                copyChunked(in, out);
            } else if (resp.header("content-length") != null) {
                copy(in, out, resp.contentLength());
            } else {
                in.transferTo(out);
                out.flush();
                return false;
            }
        }
        out.flush();
        return !"close".equalsIgnoreCase(resp.header("connection"));
    }

    private static void copy(InputStream in, OutputStream out, long n) throws IOException {
        byte[] buf = new byte[64 * 1024];
        while (n > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, n));
            if (r < 0) throw new IOException("connection closed mid-body");
            out.write(buf, 0, r);
            n -= r;
        }
        out.flush();
    }

    private static void copyChunked(InputStream in, OutputStream out) throws IOException {
        while (true) {
            String size = line(in);
            out.write((size + "\r\n").getBytes(StandardCharsets.US_ASCII));
            long n = Long.parseLong(size.split(";")[0].trim(), 16);
            if (n == 0) {
                String trailer;
                do {
                    trailer = line(in);
                    out.write((trailer + "\r\n").getBytes(StandardCharsets.US_ASCII));
                } while (!trailer.isEmpty());
                return;
            }
            copy(in, out, n);
            out.write((line(in) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') break;
            if (c != '\r') b.write(c);
        }
        if (c < 0 && b.size() == 0) throw new IOException("connection closed");
        return b.toString(StandardCharsets.US_ASCII);
    }

    /** A request or response head, kept as the bytes it came in, with its headers looked up by lower-case name. */
    private record Head(String first, Map<String, String> headers, byte[] bytes) {
        static Head read(InputStream in) throws IOException {
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            String first = null;
            Map<String, String> headers = new java.util.HashMap<>();
            while (true) {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                int c;
                while ((c = in.read()) >= 0) {
                    raw.write(c);
                    if (c == '\n') break;
                    if (c != '\r') b.write(c);
                }
                if (c < 0) return null;
                String l = b.toString(StandardCharsets.US_ASCII);
                if (first == null) {
                    first = l;
                } else if (l.isEmpty()) {
                    return new Head(first, headers, raw.toByteArray());
                } else {
                    int colon = l.indexOf(':');
                    if (colon > 0) headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
                }
            }
        }

        String header(String name) {
            return headers.get(name);
        }

        long contentLength() {
            String v = headers.get("content-length");
            return v == null ? 0 : Long.parseLong(v);
        }

        int status() {
            return Integer.parseInt(first.split(" ")[1]);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
