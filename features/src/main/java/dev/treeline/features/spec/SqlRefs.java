package dev.treeline.features.spec;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.spark.sql.catalyst.analysis.UnresolvedAttribute;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.LambdaFunction;
import org.apache.spark.sql.catalyst.parser.CatalystSqlParser$;
import org.apache.spark.sql.catalyst.parser.ParseException;
import scala.collection.JavaConverters;

/** The columns a Spark SQL expression reads, found by parsing it (no Spark session needed). */
public final class SqlRefs {
    private SqlRefs() {}

    /** Top-level column names referenced; throws IllegalArgumentException with Spark's message when it does not parse. */
    public static Set<String> of(String expression) {
        Expression root;
        try {
            root = CatalystSqlParser$.MODULE$.parseExpression(expression);
        } catch (Exception e) {
            // ParseException is checked in Java's eyes but undeclared in Scala.
            if (!(e instanceof ParseException)) throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
            String m = e.getMessage();
            int nl = m == null ? -1 : m.indexOf('\n');
            throw new IllegalArgumentException("not a valid Spark SQL expression: " + (nl < 0 ? m : m.substring(0, nl)));
        }
        Set<String> out = new LinkedHashSet<>();
        Set<String> lambdaVars = new HashSet<>();
        Deque<Expression> todo = new ArrayDeque<>();
        todo.push(root);
        while (!todo.isEmpty()) {
            Expression e = todo.pop();
            if (e instanceof UnresolvedAttribute a) {
                out.add(a.nameParts().head());
                continue;
            }
            if (e instanceof LambdaFunction f) {
                for (var arg : JavaConverters.seqAsJavaList(f.arguments())) lambdaVars.add(arg.name());
            }
            for (Expression c : JavaConverters.seqAsJavaList(e.children())) todo.push(c);
        }
        out.removeAll(lambdaVars);
        return out;
    }

    /** Whether the expression is just a column name (possibly back-quoted). */
    public static String bareColumn(String expression) {
        String s = expression.trim();
        if (s.matches("[A-Za-z_][A-Za-z0-9_]*")) return s;
        if (s.matches("`[^`]+`")) return s.substring(1, s.length() - 1);
        return null;
    }
}
