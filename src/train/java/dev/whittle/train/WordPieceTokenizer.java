package dev.whittle.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * BERT uncased tokenization as Hugging Face's BertNormalizer + BertPreTokenizer + WordPiece do it:
 * clean control characters, space out CJK ideographs, strip accents (NFD, drop nonspacing marks),
 * lowercase, split on whitespace and punctuation, then greedy longest-match-first word pieces
 * with the "##" continuation prefix; a word that cannot be split, or is over 100 characters,
 * becomes [UNK]. {@link #encode} adds [CLS] and [SEP].
 */
final class WordPieceTokenizer {
    private static final int MAX_WORD_CHARS = 100;
    private final Map<String, Integer> vocab;
    final int cls;
    final int sep;
    final int unk;
    final int pad;

    WordPieceTokenizer(Map<String, Integer> vocab) {
        this.vocab = vocab;
        cls = id("[CLS]");
        sep = id("[SEP]");
        unk = id("[UNK]");
        pad = id("[PAD]");
    }

    /** Reads {@code model.vocab} of a Hugging Face tokenizer.json. */
    static WordPieceTokenizer fromTokenizerJson(Path file) throws IOException {
        JsonNode vocabNode = new ObjectMapper().readTree(file.toFile()).path("model").path("vocab");
        if (!vocabNode.isObject() || vocabNode.size() == 0) {
            throw new IllegalStateException(file + " has no model.vocab object; is it a WordPiece tokenizer.json?");
        }
        Map<String, Integer> vocab = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : vocabNode.properties()) {
            vocab.put(e.getKey(), e.getValue().asInt());
        }
        return new WordPieceTokenizer(vocab);
    }

    private int id(String token) {
        Integer i = vocab.get(token);
        if (i == null) {
            throw new IllegalStateException("The vocabulary has no " + token + " token.");
        }
        return i;
    }

    /** [CLS] pieces... [SEP] as vocabulary ids. */
    int[] encode(String text) {
        List<String> pieces = tokenize(text);
        int[] ids = new int[pieces.size() + 2];
        ids[0] = cls;
        for (int i = 0; i < pieces.size(); i++) {
            ids[i + 1] = vocab.getOrDefault(pieces.get(i), unk);
        }
        ids[ids.length - 1] = sep;
        return ids;
    }

    /** The word pieces of {@code text}, without [CLS]/[SEP]. */
    List<String> tokenize(String text) {
        List<String> out = new ArrayList<>();
        for (String word : basicTokens(text)) {
            wordPieces(word, out);
        }
        return out;
    }

    static List<String> basicTokens(String text) {
        StringBuilder clean = new StringBuilder();
        text.codePoints().forEach(c -> {
            if (c == 0 || c == 0xfffd || isControl(c)) {
                return;
            }
            if (isWhitespace(c)) {
                clean.append(' ');
            } else if (isCjk(c)) {
                clean.append(' ').appendCodePoint(c).append(' ');
            } else {
                clean.appendCodePoint(c);
            }
        });
        String nfd = Normalizer.normalize(clean.toString(), Normalizer.Form.NFD);
        StringBuilder plain = new StringBuilder();
        nfd.codePoints().filter(c -> Character.getType(c) != Character.NON_SPACING_MARK).forEach(plain::appendCodePoint);
        String lower = plain.toString().toLowerCase(Locale.ROOT);
        List<String> tokens = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        lower.codePoints().forEach(c -> {
            if (c == ' ' || isPunctuation(c)) {
                if (cur.length() > 0) {
                    tokens.add(cur.toString());
                    cur.setLength(0);
                }
                if (c != ' ') {
                    tokens.add(new String(Character.toChars(c)));
                }
            } else {
                cur.appendCodePoint(c);
            }
        });
        if (cur.length() > 0) {
            tokens.add(cur.toString());
        }
        return tokens;
    }

    private void wordPieces(String word, List<String> out) {
        int n = word.codePointCount(0, word.length());
        if (n > MAX_WORD_CHARS) {
            out.add("[UNK]");
            return;
        }
        List<String> pieces = new ArrayList<>();
        int start = 0;
        while (start < word.length()) {
            int end = word.length();
            String found = null;
            while (start < end) {
                String sub = (start > 0 ? "##" : "") + word.substring(start, end);
                if (vocab.containsKey(sub)) {
                    found = sub;
                    break;
                }
                end = word.offsetByCodePoints(end, -1);
            }
            if (found == null) {
                out.add("[UNK]");
                return;
            }
            pieces.add(found);
            start = end;
        }
        out.addAll(pieces);
    }

    private static boolean isWhitespace(int c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || Character.getType(c) == Character.SPACE_SEPARATOR;
    }

    private static boolean isControl(int c) {
        if (c == '\t' || c == '\n' || c == '\r') {
            return false;
        }
        int t = Character.getType(c);
        return t == Character.CONTROL || t == Character.FORMAT || t == Character.PRIVATE_USE
                || t == Character.SURROGATE || t == Character.UNASSIGNED;
    }

    /** ASCII symbols count as punctuation (as in BERT), plus every Unicode P* category. */
    private static boolean isPunctuation(int c) {
        if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) {
            return true;
        }
        int t = Character.getType(c);
        return t == Character.CONNECTOR_PUNCTUATION || t == Character.DASH_PUNCTUATION
                || t == Character.START_PUNCTUATION || t == Character.END_PUNCTUATION
                || t == Character.INITIAL_QUOTE_PUNCTUATION || t == Character.FINAL_QUOTE_PUNCTUATION
                || t == Character.OTHER_PUNCTUATION;
    }

    private static boolean isCjk(int c) {
        return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF)
                || (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF)
                || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
    }
}
