package dev.treeline.features.stages;

import dev.treeline.features.spec.PiiRule;
import dev.treeline.features.spec.SecretRef;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * First stage of every feature pipeline: drops, hashes or masks personal-data columns so nothing after
 * it (features, snapshots, fitted labels, samples) ever holds a raw value.
 *
 * <p>Hashing is HMAC-SHA256 keyed by a secret read from the environment or a file when the stage runs;
 * the stage persists only where the secret lives, never the secret, and the key stays out of Spark's
 * plans (it lives in the UDF's closure, not in a literal). Every action is idempotent — a hashed value
 * ({@code h:} + 64 hex digits) is left as it is, masking a masked value changes nothing — so rows that
 * already went through the guard can go through the whole pipeline again and score the same.
 */
public final class PiiGuard extends Transformer implements MLWritable {
    static final String HASH_PREFIX = "h:";
    private final String uid;
    private final StringArrayParam columns;
    private final StringArrayParam actions;
    private final StringArrayParam salts;
    private final IntArrayParam keepFirst;
    private final IntArrayParam keepLast;

    public PiiGuard() {
        this(Identifiable$.MODULE$.randomUID("piiGuard"));
    }

    public PiiGuard(String uid) {
        this.uid = uid;
        // Params need the uid, so they are made here and not in field initialisers; Spark finds them through the accessors.
        this.columns = new StringArrayParam(this, "columns", "personal-data columns");
        this.actions = new StringArrayParam(this, "actions", "drop, hash or mask, per column");
        this.salts = new StringArrayParam(this, "salts", "where each hash key lives: env:NAME or file:PATH (never the key)");
        this.keepFirst = new IntArrayParam(this, "keepFirst", "characters kept at the start when masking");
        this.keepLast = new IntArrayParam(this, "keepLast", "characters kept at the end when masking");
    }

    public StringArrayParam columns() {
        return columns;
    }

    public StringArrayParam actions() {
        return actions;
    }

    public StringArrayParam salts() {
        return salts;
    }

    public IntArrayParam keepFirst() {
        return keepFirst;
    }

    public IntArrayParam keepLast() {
        return keepLast;
    }

    public static PiiGuard of(Collection<PiiRule> rules) {
        PiiGuard g = new PiiGuard();
        g.set(g.columns, rules.stream().map(PiiRule::column).toArray(String[]::new));
        g.set(g.actions, rules.stream().map(r -> r.action().name()).toArray(String[]::new));
        g.set(g.salts, rules.stream().map(r -> r.salt() == null ? "" : r.salt().toString()).toArray(String[]::new));
        g.set(g.keepFirst, rules.stream().mapToInt(PiiRule::keepFirst).toArray());
        g.set(g.keepLast, rules.stream().mapToInt(PiiRule::keepLast).toArray());
        return g;
    }

    public List<String> guardedColumns() {
        return Arrays.asList($(columns));
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        Dataset<Row> out = dataset.toDF();
        List<String> present = Arrays.asList(out.columns());
        String[] cols = $(columns);
        for (int i = 0; i < cols.length; i++) {
            if (!present.contains(cols[i])) continue;
            if ($(actions)[i].equals("drop")) {
                out = out.drop(cols[i]);
            } else {
                out = out.withColumn(cols[i], guarded(i, functions.col(cols[i])));
            }
        }
        return out;
    }

    /** The guarded value of {@code value} under the rule for column index {@code i}. */
    private Column guarded(int i, Column value) {
        Column s = value.cast(DataTypes.StringType);
        return switch ($(actions)[i]) {
            case "hash" -> hasher(secret($(salts)[i])).apply(s);
            case "mask" -> masker($(keepFirst)[i], $(keepLast)[i]).apply(s);
            default -> throw new IllegalStateException("unknown PII action " + $(actions)[i]);
        };
    }

    /** The guarded value of a raw column by name, for joining on guarded keys; the column itself when it is not PII. */
    public Column guardedValue(String column, Column value) {
        int i = Arrays.asList($(columns)).indexOf(column);
        if (i < 0) return value;
        if ($(actions)[i].equals("drop")) throw new IllegalArgumentException("column '" + column + "' is dropped as personal data");
        return guarded(i, value);
    }

    /**
     * Identifies the hash keys in use without revealing them (an HMAC of a fixed text), so outputs keyed
     * by hashed values are rebuilt when a key is rotated.
     */
    public String keysFingerprint() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < $(columns).length; i++) {
            if (!$(actions)[i].equals("hash")) continue;
            try {
                b.append($(columns)[i]).append('=').append(hash(secret($(salts)[i]), "treeline:key-fingerprint").substring(2, 18)).append(';');
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
        return b.toString();
    }

    static byte[] secret(String ref) {
        SecretRef r = ref.startsWith("env:") ? new SecretRef(ref.substring(4), null) : new SecretRef(null, ref.substring(5));
        return r.read();
    }

    private static UserDefinedFunction hasher(byte[] key) {
        UDF1<String, String> f = v -> v == null ? null : hash(key, v);
        return functions.udf(f, DataTypes.StringType);
    }

    static String hash(byte[] key, String value) throws GeneralSecurityException {
        if (value.length() == HASH_PREFIX.length() + 64 && value.startsWith(HASH_PREFIX) && value.substring(2).matches("[0-9a-f]{64}")) {
            return value;
        }
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return HASH_PREFIX + HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
    }

    private static UserDefinedFunction masker(int first, int last) {
        UDF1<String, String> f = v -> v == null ? null : mask(v, first, last);
        return functions.udf(f, DataTypes.StringType);
    }

    static String mask(String v, int first, int last) {
        int n = v.length();
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) b.append(i < first || i >= n - last ? v.charAt(i) : '*');
        return b.toString();
    }

    @Override
    public StructType transformSchema(StructType schema) {
        List<StructField> out = new ArrayList<>();
        String[] cols = $(columns);
        for (StructField f : schema.fields()) {
            int i = Arrays.asList(cols).indexOf(f.name());
            if (i < 0) out.add(f);
            else if (!$(actions)[i].equals("drop")) out.add(new StructField(f.name(), DataTypes.StringType, true, f.metadata()));
        }
        return new StructType(out.toArray(StructField[]::new));
    }

    @Override
    public PiiGuard copy(ParamMap extra) {
        return (PiiGuard) defaultCopy(extra);
    }

    @Override
    public MLWriter write() {
        return new DefaultParamsWriter(this);
    }

    public static MLReader<PiiGuard> read() {
        return new DefaultParamsReader<>();
    }

    public static PiiGuard load(String path) {
        return read().load(path);
    }
}
