package dev.whittle.core.eval;

import dev.whittle.core.BadInputException;
import dev.whittle.core.model.Dim;
import dev.whittle.core.model.ModelGraph;
import dev.whittle.core.model.ValueInfo;
import java.util.List;
import java.util.Optional;

/**
 * Which output of the baseline is compared with the evaluated model's output: the one asked for
 * by name; else the one with the same name; else, when the names differ (a model written by
 * another tool), the one at the same position if its element type and declared shape agree
 * (symbolic and unknown dims agree with anything), with a note saying so.
 */
final class BaselineOutput {
    private BaselineOutput() {
    }

    /**
     * @param out       the evaluated model's output
     * @param requested the baseline output named by the user, or null
     * @param notes     receives one line when the match is by position
     */
    static ValueInfo match(ModelGraph g, ValueInfo out, ModelGraph base, String requested, List<String> notes) {
        if (requested != null) {
            return InputCheck.output(base, requested);
        }
        Optional<ValueInfo> same = base.outputs().stream().filter(o -> o.name().equals(out.name())).findFirst();
        if (same.isPresent()) {
            return same.get();
        }
        int at = g.outputs().indexOf(out);
        String names = base.outputs().stream().map(ValueInfo::name).toList().toString();
        if (at < 0 || at >= base.outputs().size()) {
            throw new BadInputException(base.fileName() + " has no output '" + out.name() + "' and no output at its position "
                    + at + "; its outputs are " + names + "; choose one with --baseline-output.");
        }
        ValueInfo b = base.outputs().get(at);
        if (!agree(out, b)) {
            throw new BadInputException(base.fileName() + " has no output '" + out.name() + "', and its output " + at + " '"
                    + b.name() + "' (" + b.type() + " " + b.shapeText() + ") does not match " + out.type() + " "
                    + out.shapeText() + "; its outputs are " + names + "; choose one with --baseline-output.");
        }
        notes.add("outputs are named differently: " + g.fileName() + "'s '" + out.name() + "' is compared with "
                + base.fileName() + "'s '" + b.name() + "' (output " + at + " of both, shapes agree)");
        return b;
    }

    /** Same element type and rank, and equal sizes wherever both declare a fixed size. */
    static boolean agree(ValueInfo a, ValueInfo b) {
        if (a.type() != b.type()) {
            return false;
        }
        if (a.shape() == null || b.shape() == null) {
            return true;
        }
        if (a.shape().size() != b.shape().size()) {
            return false;
        }
        for (int i = 0; i < a.shape().size(); i++) {
            Dim x = a.shape().get(i);
            Dim y = b.shape().get(i);
            if (x.isFixed() && y.isFixed() && x.value() != y.value()) {
                return false;
            }
        }
        return true;
    }
}
