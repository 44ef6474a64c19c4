package dev.treeline.cli;

import dev.treeline.pipelines.Versions;
import picocli.CommandLine;

final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {
                "Treeline " + Versions.treeline(),
                "Spark " + Versions.spark() + " (Scala 2.12)",
                "XGBoost " + Versions.xgboost() + " (" + Versions.xgboostArtifact() + ")",
                "MLflow server " + Versions.mlflowServer() + " (local stack), S3Proxy " + Versions.s3proxy(),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
    }
}
