package dev.treeline.pipelines.spec;

import dev.treeline.pipelines.util.DidYouMean;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A YAML node that knows its file, line and key path, so every error can say where it is.
 * Records for specs are built from these; each getter validates type and range and throws
 * {@link SpecException} with {@code file:line: key: problem; fix}.
 */
public final class SpecNode {
    private final String file;
    private final String path;
    private final Node node;
    private final Interpolator vars;

    private SpecNode(String file, String path, Node node, Interpolator vars) {
        this.file = file;
        this.path = path;
        this.node = node;
        this.vars = vars;
    }

    public static SpecNode parse(Path file, Interpolator vars) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new SpecException(file + ": file not found; check the path");
        } catch (IOException e) {
            throw new SpecException(file + ": cannot read (" + e.getMessage() + ")");
        }
        return parse(text, file.toString(), vars);
    }

    public static SpecNode parse(String text, String fileName, Interpolator vars) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        Node root;
        try (Reader reader = new StringReader(text)) {
            root = new Yaml(options).compose(reader);
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            throw new SpecException(fileName + ":" + line + ": not valid YAML: " + e.getProblem());
        } catch (IOException e) {
            throw new SpecException(fileName + ": cannot read (" + e.getMessage() + ")");
        }
        if (root == null) throw new SpecException(fileName + ":1: the file is empty");
        checkTree(root, fileName, Collections.newSetFromMap(new IdentityHashMap<>()), new int[] {0});
        return new SpecNode(fileName, "", root, vars);
    }

    /** Aliases expanded beyond this many nodes are an alias bomb, not a spec. */
    private static final int MAX_NODES = 1_000_000;

    /**
     * Anchors may be reused but not nest inside themselves: a recursive anchor would make every later walk
     * (interpolation, hashing the spec) endless. Also bounds the expanded size against alias bombs.
     */
    private static void checkTree(Node node, String fileName, Set<Node> path, int[] count) {
        if (++count[0] > MAX_NODES) {
            throw new SpecException(fileName + ":" + (node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1)
                    + ": the spec expands to more than " + MAX_NODES + " YAML nodes through aliases; write it out without nesting aliases");
        }
        if (!path.add(node)) {
            throw new SpecException(fileName + ":" + (node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1)
                    + ": a YAML anchor refers to itself (an alias *x inside the value of &x); specs cannot be recursive");
        }
        if (node instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                checkTree(t.getKeyNode(), fileName, path, count);
                checkTree(t.getValueNode(), fileName, path, count);
            }
        } else if (node instanceof SequenceNode q) {
            for (Node c : q.getValue()) checkTree(c, fileName, path, count);
        }
        path.remove(node);
    }

    public String file() {
        return file;
    }

    public String path() {
        return path;
    }

    public int line() {
        return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
    }

    /** Where this node is, as {@code file:line: key}. */
    public String where() {
        return file + ":" + line() + (path.isEmpty() ? "" : ": " + path);
    }

    public SpecException error(String problem) {
        return new SpecException(where() + ": " + problem);
    }

    // ---- structure ----------------------------------------------------------------------------

    public boolean isMap() {
        return node instanceof MappingNode;
    }

    public boolean isList() {
        return node instanceof SequenceNode;
    }

    public boolean isNull() {
        return node instanceof ScalarNode s && s.getTag().equals(Tag.NULL);
    }

    public Map<String, SpecNode> asMap() {
        if (!(node instanceof MappingNode map)) throw error("expected a mapping (key: value), got " + describe());
        Map<String, SpecNode> out = new LinkedHashMap<>();
        for (NodeTuple t : map.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode k)) throw error("keys must be plain strings");
            String key = k.getValue();
            out.put(key, new SpecNode(file, child(key), t.getValueNode(), vars));
        }
        return out;
    }

    /**
     * Sets {@code key} of this mapping to the YAML {@code value} (replacing any value there), for
     * overrides from a command line; errors in it name {@code origin} as their file.
     */
    public void put(String key, String value, String origin) {
        if (!(node instanceof MappingNode map)) throw error("expected a mapping (key: value), got " + describe());
        Node parsed = parse(value, origin, vars).node;
        List<NodeTuple> tuples = map.getValue();
        tuples.removeIf(t -> t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key));
        tuples.add(new NodeTuple(new ScalarNode(Tag.STR, key, null, null, DumperOptions.ScalarStyle.PLAIN), parsed));
        map.setValue(tuples);
    }

    public List<SpecNode> asList() {
        if (!(node instanceof SequenceNode seq)) throw error("expected a list, got " + describe());
        List<SpecNode> out = new ArrayList<>();
        for (int i = 0; i < seq.getValue().size(); i++) {
            out.add(new SpecNode(file, path + "[" + i + "]", seq.getValue().get(i), vars));
        }
        return out;
    }

    /** Rejects keys outside {@code allowed}, naming the key, its line, the closest known key and the rest. */
    public SpecNode allowOnly(Collection<String> allowed) {
        if (!(node instanceof MappingNode map)) throw error("expected a mapping (key: value), got " + describe());
        for (NodeTuple t : map.getValue()) {
            String key = ((ScalarNode) t.getKeyNode()).getValue();
            if (!allowed.contains(key)) {
                SpecNode at = new SpecNode(file, child(key), t.getKeyNode(), vars);
                throw at.error("unknown key" + DidYouMean.hint(key, allowed));
            }
        }
        return this;
    }

    public SpecNode allowOnly(String... allowed) {
        return allowOnly(new LinkedHashSet<>(Arrays.asList(allowed)));
    }

    public Set<String> keys() {
        return asMap().keySet();
    }

    public boolean has(String key) {
        return isMap() && asMap().containsKey(key) && !asMap().get(key).isNull();
    }

    /** The child at {@code key}, or null when absent or explicitly null. */
    public SpecNode get(String key) {
        SpecNode child = asMap().get(key);
        return child == null || child.isNull() ? null : child;
    }

    public SpecNode require(String key) {
        SpecNode child = get(key);
        if (child == null) throw error("missing required key '" + key + "'");
        return child;
    }

    // ---- scalars ------------------------------------------------------------------------------

    public String asString() {
        if (!(node instanceof ScalarNode s)) throw error("expected a single value, got " + describe());
        try {
            return vars.expand(s.getValue());
        } catch (IllegalArgumentException e) {
            throw error(e.getMessage());
        }
    }

    public int asInt(int min, int max) {
        String raw = asString();
        int value;
        try {
            value = Integer.parseInt(raw.trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw error("expected a whole number, got '" + raw + "'");
        }
        if (value < min || value > max) throw error("must be between " + min + " and " + max + ", got " + value);
        return value;
    }

    public double asDouble(double min, double max) {
        String raw = asString();
        double value;
        try {
            value = Double.parseDouble(raw.trim());
        } catch (NumberFormatException e) {
            throw error("expected a number, got '" + raw + "'");
        }
        if (Double.isNaN(value) || value < min || value > max) {
            throw error("must be between " + min + " and " + max + ", got " + raw);
        }
        return value;
    }

    public boolean asBoolean() {
        String raw = asString().trim().toLowerCase();
        return switch (raw) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw error("expected true or false, got '" + raw + "'");
        };
    }

    public LocalDate asDate() {
        String raw = asString();
        try {
            return LocalDate.parse(raw.trim());
        } catch (DateTimeParseException e) {
            throw error("expected a date as YYYY-MM-DD, got '" + raw + "'");
        }
    }

    public String asEnum(Collection<String> allowed) {
        String raw = asString();
        if (!allowed.contains(raw)) throw error("'" + raw + "' is not allowed" + DidYouMean.hint(raw, allowed));
        return raw;
    }

    public List<String> asStringList() {
        if (node instanceof ScalarNode) return List.of(asString());
        return asList().stream().map(SpecNode::asString).toList();
    }

    public Map<String, String> asStringMap() {
        Map<String, String> out = new LinkedHashMap<>();
        asMap().forEach((k, v) -> out.put(k, v.asString()));
        return out;
    }

    // ---- keyed conveniences -------------------------------------------------------------------

    public String string(String key, String fallback) {
        SpecNode c = get(key);
        return c == null ? fallback : c.asString();
    }

    public String requiredString(String key) {
        String value = require(key).asString();
        if (value.isBlank()) throw require(key).error("must not be empty");
        return value;
    }

    public int integer(String key, int fallback, int min, int max) {
        SpecNode c = get(key);
        return c == null ? fallback : c.asInt(min, max);
    }

    public double number(String key, double fallback, double min, double max) {
        SpecNode c = get(key);
        return c == null ? fallback : c.asDouble(min, max);
    }

    public boolean bool(String key, boolean fallback) {
        SpecNode c = get(key);
        return c == null ? fallback : c.asBoolean();
    }

    public List<String> stringList(String key) {
        SpecNode c = get(key);
        return c == null ? List.of() : c.asStringList();
    }

    /** Plain Java values (maps, lists, strings), interpolated: for hashing and for logging params. */
    public Object toPlain() {
        if (node instanceof MappingNode) {
            Map<String, Object> out = new LinkedHashMap<>();
            asMap().forEach((k, v) -> out.put(k, v.toPlain()));
            return out;
        }
        if (node instanceof SequenceNode) return asList().stream().map(SpecNode::toPlain).toList();
        return isNull() ? null : asString();
    }

    /** Plain values without interpolation: what the user wrote, for the spec hash. */
    public Object toRawPlain() {
        return raw(node);
    }

    private static Object raw(Node n) {
        if (n instanceof MappingNode map) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (NodeTuple t : map.getValue()) out.put(((ScalarNode) t.getKeyNode()).getValue(), raw(t.getValueNode()));
            return out;
        }
        if (n instanceof SequenceNode seq) return seq.getValue().stream().map(SpecNode::raw).toList();
        ScalarNode s = (ScalarNode) n;
        return s.getTag().equals(Tag.NULL) ? null : s.getValue();
    }

    private String child(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private String describe() {
        if (node instanceof MappingNode) return "a mapping";
        if (node instanceof SequenceNode) return "a list";
        return "'" + ((ScalarNode) node).getValue() + "'";
    }
}
