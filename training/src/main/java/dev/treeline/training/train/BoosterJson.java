package dev.treeline.training.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.treeline.pipelines.util.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * Edits boosters through XGBoost's JSON model format, which lists the trees and where each
 * iteration's trees start (the Java API can neither slice nor concatenate models).
 */
final class BoosterJson {
    private BoosterJson() {}

    /**
     * The booster cut to the trees up to and including its best iteration, so that any XGBoost that
     * loads the saved file predicts what was evaluated.
     */
    static Booster trim(Booster booster, int bestIteration) throws XGBoostError, IOException {
        if (bestIteration + 1 >= booster.getNumBoostedRound()) return booster;
        JsonNode root = parse(booster);
        ObjectNode model = model(root);
        ArrayNode indptr = (ArrayNode) model.get("iteration_indptr");
        int keepTrees = indptr.get(bestIteration + 1).asInt();
        ArrayNode trees = (ArrayNode) model.get("trees");
        ArrayNode treeInfo = (ArrayNode) model.get("tree_info");
        while (trees.size() > keepTrees) trees.remove(trees.size() - 1);
        while (treeInfo.size() > keepTrees) treeInfo.remove(treeInfo.size() - 1);
        while (indptr.size() > bestIteration + 2) indptr.remove(indptr.size() - 1);
        ((ObjectNode) model.get("gbtree_model_param")).put("num_trees", Integer.toString(keepTrees));
        return load(root);
    }

    /**
     * {@code first}'s trees followed by {@code next}'s: the model {@code first} would be after training
     * {@code next}'s rounds on its margins. {@code first}'s base score stays (next trained on base margins,
     * which replace the base score), and its best-iteration attributes are dropped.
     */
    static Booster append(Booster first, Booster next) throws XGBoostError, IOException {
        JsonNode root = parse(first);
        ObjectNode model = model(root);
        ObjectNode more = model(parse(next));
        ArrayNode trees = (ArrayNode) model.get("trees");
        ArrayNode treeInfo = (ArrayNode) model.get("tree_info");
        ArrayNode indptr = (ArrayNode) model.get("iteration_indptr");
        int offset = trees.size();
        for (JsonNode t : more.get("trees")) {
            ObjectNode tree = t.deepCopy();
            tree.put("id", trees.size());
            trees.add(tree);
        }
        more.get("tree_info").forEach(treeInfo::add);
        ArrayNode moreIndptr = (ArrayNode) more.get("iteration_indptr");
        for (int i = 1; i < moreIndptr.size(); i++) indptr.add(offset + moreIndptr.get(i).asInt());
        ((ObjectNode) model.get("gbtree_model_param")).put("num_trees", Integer.toString(trees.size()));
        JsonNode attributes = root.path("learner").path("attributes");
        if (attributes instanceof ObjectNode a) {
            a.remove("best_iteration");
            a.remove("best_score");
        }
        return load(root);
    }

    private static JsonNode parse(Booster b) throws XGBoostError, IOException {
        return Json.parse(new String(b.toByteArray("json"), StandardCharsets.UTF_8));
    }

    private static ObjectNode model(JsonNode root) {
        return (ObjectNode) root.path("learner").path("gradient_booster").path("model");
    }

    private static Booster load(JsonNode root) throws XGBoostError, IOException {
        // Compact: XGBoost's JSON reader does not take the pretty printer's "[ ]".
        byte[] json = Json.MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(root);
        return XGBoost.loadModel(json);
    }

    /**
     * Total gain per feature, read from the JSON dump: the text dump XGBoost4J's getScore uses rejects
     * models with categorical splits.
     */
    static Map<String, Double> importance(Booster booster, List<String> names) throws XGBoostError {
        Map<String, Double> out = new TreeMap<>();
        for (String tree : booster.getModelDump(new String[0] , true, "json")) {
            ArrayDeque<JsonNode> todo = new ArrayDeque<>();
            todo.push(Json.parse(tree));
            while (!todo.isEmpty()) {
                JsonNode n = todo.pop();
                if (n.has("split")) {
                    String f = n.get("split").asText();
                    int i = f.startsWith("f") && f.substring(1).matches("\\d+") ? Integer.parseInt(f.substring(1)) : names.indexOf(f);
                    String name = i >= 0 && i < names.size() ? names.get(i) : f;
                    out.merge(name, n.path("gain").asDouble(0), Double::sum);
                }
                if (n.has("children")) n.get("children").forEach(todo::push);
            }
        }
        return out;
    }
}
