package dev.treeline.pipelines.spec;

import java.util.List;

/** One named step as written in the spec: its type (found through the SPI), datasets and params. */
public record StepSpec(String name, String type, List<String> inputs, List<String> outputs, SpecNode params, SpecNode node) {
    /** The name of an output a step writes without the spec listing it: {@code <step>.<role>}, e.g. {@code validate.report}. */
    public static String implicitOutput(String step, String role) {
        return step + "." + role;
    }

    /** Params of the step, or an empty mapping. */
    public SpecNode paramsOrEmpty() {
        return params != null ? params : SpecNode.parse("{}", node.file(), Interpolator.none());
    }

    /** Fails unless the step declares exactly the datasets its type needs, naming them by role. */
    public void expectDatasets(List<String> inputRoles, List<String> outputRoles) {
        if (inputs.size() != inputRoles.size()) {
            throw node.error("step '" + name + "' of type " + type + " takes " + inputRoles.size()
                    + " input(s) " + inputRoles + ", got " + inputs.size() + " " + inputs);
        }
        if (outputs.size() != outputRoles.size()) {
            throw node.error("step '" + name + "' of type " + type + " writes " + outputRoles.size()
                    + " output(s) " + outputRoles + ", got " + outputs.size() + " " + outputs);
        }
    }

    @Override
    public String toString() {
        return name + ": " + type + "(" + inputs + ") -> " + outputs;
    }
}
