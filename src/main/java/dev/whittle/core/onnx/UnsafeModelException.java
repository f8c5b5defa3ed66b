package dev.whittle.core.onnx;

/**
 * A model that tries to reach outside its folder (an external-data location that is absolute,
 * climbs with "..", or is a link leading out). Such a path is never opened.
 */
public final class UnsafeModelException extends InvalidModelException {
    public UnsafeModelException(String message) {
        super(ModelProblem.EXTERNAL_DATA_ESCAPES, message);
    }
}
