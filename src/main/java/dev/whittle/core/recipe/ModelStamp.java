package dev.whittle.core.recipe;

import dev.whittle.core.WhittleVersion;
import dev.whittle.core.onnx.OnnxModel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Makes a written model say how it was made: Whittle (with its version) as the producer, the
 * recipe's canonical form ({@link RecipeWriter#canonicalJson}) and its sha256 in
 * {@code metadata_props}, and the source's figures that no longer hold (accuracy, loss, scores)
 * kept under {@code source.<key>}, as is the source's producer. Other metadata (class names,
 * input scaling) still holds and stays. No date or path goes in: the same recipe applied to the
 * same model gives the same bytes, from the CLI or the workbench.
 */
public final class ModelStamp {
    /** Metadata keys that hold a measured figure of the source model. */
    private static final Pattern FIGURE = Pattern.compile(
            "(?i).*(accuracy|acc|top-?[15]|f1|loss|score|precision|recall|auc|bleu|perplexity|ppl|map|miou|wer|cer|metric).*");
    public static final String RECIPE_KEY = "whittle.recipe";
    public static final String RECIPE_SHA_KEY = "whittle.recipe.sha256";
    public static final String SOURCE_PREFIX = "source.";

    private ModelStamp() {
    }

    /** {@code model} stamped; {@code recipe} may be null (a command that takes no recipe, such as quantize). */
    public static OnnxModel stamp(OnnxModel model, Recipe recipe) {
        Map<String, String> md = new LinkedHashMap<>();
        String producer = (model.graph().producer() + " " + model.graph().producerVersion()).trim();
        boolean ours = model.graph().producer().equals("whittle");
        if (!ours && !producer.isEmpty()) {
            md.put(SOURCE_PREFIX + "producer", producer);
        }
        model.graph().metadata().forEach((k, v) -> {
            if (k.equals(RECIPE_KEY) || k.equals(RECIPE_SHA_KEY)) {
                return;
            }
            md.put(!k.startsWith(SOURCE_PREFIX) && FIGURE.matcher(k).matches() ? SOURCE_PREFIX + k : k, v);
        });
        if (recipe != null) {
            String json = RecipeWriter.canonicalJson(recipe);
            md.put(RECIPE_KEY, json);
            md.put(RECIPE_SHA_KEY, sha256(json));
        }
        return model.withProducer("whittle", WhittleVersion.get(), md);
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
