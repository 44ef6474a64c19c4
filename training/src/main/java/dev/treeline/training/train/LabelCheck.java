package dev.treeline.training.train;

import dev.treeline.pipelines.TreelineException;
import dev.treeline.pipelines.format.Task;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/** The labels fit the objective: 0/1 for binary, 0 .. num_class-1 for multiclass, finite numbers for regression. */
final class LabelCheck {
    private LabelCheck() {}

    static void check(Dataset<Row> rows, String labelCol, Task task, int numClass, String labelExpression) {
        Column l = functions.col(labelCol);
        Column bad = switch (task) {
            case BINARY -> l.notEqual(0).and(l.notEqual(1));
            case MULTICLASS -> l.lt(0).or(l.geq(numClass)).or(l.notEqual(functions.floor(l)));
            case REGRESSION -> functions.isnan(l).or(l.equalTo(Double.POSITIVE_INFINITY)).or(l.equalTo(Double.NEGATIVE_INFINITY));
        };
        Row r = rows.agg(functions.count(functions.when(bad, 1)), functions.first(functions.when(bad, l), true)).first();
        long count = r.getLong(0);
        if (count == 0) return;
        String expected = switch (task) {
            case BINARY -> "0 or 1 (false or true) for objective binary:logistic";
            case MULTICLASS -> "a whole number from 0 to " + (numClass - 1) + " for objective multi:softprob with num_class " + numClass;
            case REGRESSION -> "a finite number for a regression objective";
        };
        throw TreelineException.data(String.format("%,d training rows have a label outside what the objective takes (for example %s): "
                + "the feature spec's label (%s) must give %s", count, r.isNullAt(1) ? "null" : r.get(1), labelExpression, expected));
    }
}
