package dev.whittle.core.eval;

import dev.whittle.core.model.ModelGraph;
import java.util.ArrayList;
import java.util.List;

/**
 * How data is fed to a model, decided the same way for evaluation and calibration: the batch
 * ({@link SampleAxes#batch}: a size the model fixes wins, a stream feeds one chunk per run), the
 * data cut to whole batches when the model takes no short one, float arrays converted to the
 * model's float type, and every array checked against the input it feeds.
 *
 * @param data  the data as it will be fed
 * @param batch samples per run
 * @param notes what a user should know about the feeding (a fixed batch, samples left out)
 */
public record Feeding(Dataset data, int batch, List<String> notes) {
    public Feeding {
        notes = List.copyOf(notes);
    }

    /** @throws dev.whittle.core.BadInputException when the data does not fit the model's inputs */
    public static Feeding of(ModelGraph g, Dataset d, int requested) {
        List<String> notes = new ArrayList<>();
        int batch = SampleAxes.batch(g, d, requested, notes);
        Dataset data = InputCheck.matchFloats(g, Evaluator.wholeBatches(g, d, batch, notes));
        InputCheck.check(g, data, batch);
        return new Feeding(data, batch, notes);
    }
}
