package dev.whittle.core.onnx;

import dev.whittle.core.BadInputException;

/**
 * A model file Whittle cannot open. The message is one sentence naming the file and the
 * problem; {@link #problem()} classifies it.
 */
public class InvalidModelException extends BadInputException {
    private final ModelProblem problem;

    public InvalidModelException(ModelProblem problem, String message) {
        this(problem, message, null);
    }

    public InvalidModelException(ModelProblem problem, String message, Throwable cause) {
        super(message, cause);
        this.problem = problem;
    }

    public ModelProblem problem() {
        return problem;
    }
}
