package dev.treeline.features.validate;

import org.apache.spark.sql.Column;

/** One per-row check: {@code broken} is true for a row that breaks it, {@code reason} says how. */
record RowRule(String id, String column, Severity severity, Column broken, Column reason) {}
