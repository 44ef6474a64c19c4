package dev.treeline.training.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.treeline.pipelines.util.Json;
import java.nio.charset.StandardCharsets;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * A booster cut to the trees up to and including its best iteration, so that any XGBoost that loads
 * the saved file predicts what was evaluated (the Java API has no slicing; the JSON model format
 * lists the trees and where each iteration's trees start).
 */
final class BestIterationTrim {
    private BestIterationTrim() {}

    static Booster trim(Booster booster, int bestIteration) throws XGBoostError, java.io.IOException {
        if (bestIteration + 1 >= booster.getNumBoostedRound()) return booster;
        JsonNode root = Json.parse(new String(booster.toByteArray("json"), StandardCharsets.UTF_8));
        ObjectNode model = (ObjectNode) root.path("learner").path("gradient_booster").path("model");
        ArrayNode indptr = (ArrayNode) model.get("iteration_indptr");
        int keepTrees = indptr.get(bestIteration + 1).asInt();
        ArrayNode trees = (ArrayNode) model.get("trees");
        ArrayNode treeInfo = (ArrayNode) model.get("tree_info");
        while (trees.size() > keepTrees) trees.remove(trees.size() - 1);
        while (treeInfo.size() > keepTrees) treeInfo.remove(treeInfo.size() - 1);
        while (indptr.size() > bestIteration + 2) indptr.remove(indptr.size() - 1);
        ((ObjectNode) model.get("gbtree_model_param")).put("num_trees", Integer.toString(keepTrees));
        // Compact: XGBoost's JSON reader does not take the pretty printer's "[ ]".
        byte[] json = Json.MAPPER.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(root);
        return XGBoost.loadModel(json);
    }
}
