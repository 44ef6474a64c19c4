package dev.treeline.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generated loan applicants in the shape of the Statlog German credit table: 20 attributes (coded categoricals
 * such as {@code A11}, and numbers) and {@code credit_risk} (1 good, 2 bad, about 30% bad) whose log-odds
 * depend on the checking account, the duration, the credit history and the age. Space-separated without a
 * header, as german.data is; optionally with an {@code applicant_id} first and a header (the train/test files
 * of a classic split).
 */
final class CreditTable {
    static final String[] CHECKING = {"A11", "A12", "A13", "A14"};
    static final String[] HISTORY = {"A30", "A31", "A32", "A33", "A34"};
    static final String[] PURPOSE = {"A40", "A41", "A42", "A43", "A44", "A45", "A46", "A48", "A49", "A410"};
    static final String HEADER = "applicant_id checking_status duration_months credit_history purpose credit_amount savings employment_since "
            + "installment_rate personal_status_sex other_debtors residence_since property age other_installment_plans housing existing_credits "
            + "job people_liable telephone foreign_worker credit_risk";

    private CreditTable() {}

    /** Writes {@code rows} applicants; ids start at {@code firstId}. Returns the number of bad risks. */
    static long write(Path file, int rows, long seed, boolean withId, int firstId) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        List<String> lines = new ArrayList<>();
        if (withId) lines.add(HEADER);
        long bad = 0;
        for (int i = 0; i < rows; i++) {
            int checking = r.nextInt(4);
            int duration = 4 + r.nextInt(60);
            int history = r.nextInt(5);
            int age = 19 + r.nextInt(55);
            double logit = -1.0 + new double[] {1.3, 0.6, -0.4, -1.4}[checking] + 0.035 * (duration - 20) + (history < 2 ? 0.9 : 0.0)
                    - 0.02 * (age - 35);
            boolean isBad = r.nextDouble() < 1.0 / (1.0 + Math.exp(-logit));
            if (isBad) bad++;
            String line = String.join(" ", CHECKING[checking], Integer.toString(duration), HISTORY[history], PURPOSE[r.nextInt(PURPOSE.length)],
                    Integer.toString(250 + r.nextInt(15_000)), "A6" + (1 + r.nextInt(5)), "A7" + (1 + r.nextInt(5)), Integer.toString(1 + r.nextInt(4)),
                    "A9" + (1 + r.nextInt(4)), "A10" + (1 + r.nextInt(3)), Integer.toString(1 + r.nextInt(4)), "A12" + (1 + r.nextInt(4)),
                    Integer.toString(age), "A14" + (1 + r.nextInt(3)), "A15" + (1 + r.nextInt(3)), Integer.toString(1 + r.nextInt(4)),
                    "A17" + (1 + r.nextInt(4)), Integer.toString(1 + r.nextInt(2)), "A19" + (1 + r.nextInt(2)), "A20" + (1 + r.nextInt(2)),
                    isBad ? "2" : "1");
            lines.add(withId ? (firstId + i) + " " + line : line);
        }
        Files.createDirectories(file.getParent());
        Files.write(file, lines);
        return bad;
    }

    /** Rows of class {@code n} a stratified split puts in a share {@code fraction}: ranks r with (r + 0.5) / n below it. */
    static long stratifiedShare(long n, double fraction) {
        long k = 0;
        for (long rank = 0; rank < n; rank++) if ((rank + 0.5) / n < fraction) k++;
        return k;
    }
}
