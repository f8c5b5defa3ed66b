package dev.whittle.core.eval;

import dev.whittle.core.BadInputException;

/** Top-1 and top-5 counts of class scores against integer labels. */
final class Accuracy {
    private long samples;
    private long correct;
    private long top5;
    private int classes = -1;

    /** One batch of scores, {@code b} samples of equal length, for samples starting at {@code first}. */
    void add(float[] scores, int b, Dataset data, long first) {
        if (b == 0) {
            return;
        }
        int c = scores.length / b;
        classes = c;
        for (int i = 0; i < b; i++) {
            long label = data.label(first + i);
            if (label < 0 || label >= c) {
                throw new BadInputException("Label " + label + " of sample " + (first + i) + " is outside the model's "
                        + c + " output classes.");
            }
            if (Metrics.argmax(scores, i * c, c) == label) {
                correct++;
                top5++;
            } else if (Metrics.inTopK(scores, i * c, c, (int) label, 5)) {
                top5++;
            }
        }
        samples += b;
    }

    long correct() {
        return correct;
    }

    double accuracy() {
        return samples == 0 ? 0 : (double) correct / samples;
    }

    /** Null when there are 5 classes or fewer, where top-5 says nothing. */
    Double top5() {
        return samples == 0 || classes <= 5 ? null : (double) top5 / samples;
    }
}
