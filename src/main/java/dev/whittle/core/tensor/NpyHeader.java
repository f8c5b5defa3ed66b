package dev.whittle.core.tensor;

import dev.whittle.core.BadInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * The header of a .npy file: a Python dict literal such as
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }}. Parsed by a small
 * hand-written scanner (never evaluated); only the three keys NumPy writes are accepted.
 */
record NpyHeader(String dtype, long[] shape) {
    private static final String[][] DESCRS = {
        {"f4", "float32"}, {"f8", "float64"}, {"f2", "float16"}, {"i8", "int64"}, {"i4", "int32"},
        {"u1", "uint8"}, {"i1", "int8"}, {"b1", "bool"},
    };

    /** The header text NumPy would write for this dtype and shape, without padding. */
    static String format(String dtype, long[] shape) {
        StringBuilder s = new StringBuilder("{'descr': '").append(descr(dtype)).append("', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.length; i++) {
            s.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return s.append(shape.length == 1 ? ",), }" : "), }").toString();
    }

    private static String descr(String dtype) {
        for (String[] d : DESCRS) {
            if (d[1].equals(dtype)) {
                return (NpyArray.itemSize(dtype) == 1 ? "|" : "<") + d[0];
            }
        }
        throw new IllegalArgumentException("dtype '" + dtype + "' has no .npy descr.");
    }

    /** Parses header text; {@code file} names the file in error messages. */
    static NpyHeader parse(String text, String file) {
        return new Scanner(text, file).dict();
    }

    private static final class Scanner {
        private final String s;
        private final String file;
        private int pos;

        Scanner(String s, String file) {
            this.s = s;
            this.file = file;
        }

        NpyHeader dict() {
            String dtype = null;
            long[] shape = null;
            Boolean fortran = null;
            expect('{');
            while (!peek('}')) {
                String key = string();
                expect(':');
                switch (key) {
                    case "descr" -> dtype = dtype(descrValue());
                    case "fortran_order" -> fortran = bool();
                    case "shape" -> shape = tuple();
                    default -> throw bad("has an unknown header key '" + key + "'");
                }
                if (!peek('}')) {
                    expect(',');
                }
            }
            expect('}');
            if (dtype == null || fortran == null || shape == null) {
                throw bad("has a header without 'descr', 'fortran_order' and 'shape'");
            }
            if (fortran) {
                throw bad("stores its array in Fortran order, which Whittle does not read (save it with"
                        + " numpy.ascontiguousarray first)");
            }
            return new NpyHeader(dtype, shape);
        }

        private String descrValue() {
            skipSpace();
            if (pos < s.length() && s.charAt(pos) == '[') {
                throw bad("holds a structured (record) array, which Whittle does not read");
            }
            return string();
        }

        private String dtype(String descr) {
            if (descr.length() >= 2) {
                char order = descr.charAt(0);
                String code = descr.substring(1);
                for (String[] d : DESCRS) {
                    if (d[0].equals(code)) {
                        boolean oneByte = NpyArray.itemSize(d[1]) == 1;
                        if (order == '<' || (oneByte && (order == '|' || order == '>' || order == '='))) {
                            return d[1];
                        }
                        if (order == '>') {
                            throw bad("is big-endian ('" + descr + "'), and Whittle reads only little-endian"
                                    + " arrays (convert it with arr.astype('<" + code + "'))");
                        }
                    }
                }
            }
            if (descr.length() >= 2 && descr.substring(1).equals("V2")) {
                // NumPy has no bfloat16: ml_dtypes' bfloat16 is saved as a 2-byte void, which could be anything.
                throw bad("has dtype '" + descr + "' (2 raw bytes, as NumPy saves ml_dtypes' bfloat16), which Whittle"
                        + " does not read; save it as float32 (arr.astype(np.float32)): Whittle converts float data to"
                        + " the model's input type");
            }
            throw bad("has dtype '" + descr + "', which Whittle does not read (supported: " + NpyArray.DTYPES + ")");
        }

        private boolean bool() {
            skipSpace();
            if (s.startsWith("True", pos)) {
                pos += 4;
                return true;
            }
            if (s.startsWith("False", pos)) {
                pos += 5;
                return false;
            }
            throw bad("has a header whose 'fortran_order' is not True or False");
        }

        private long[] tuple() {
            expect('(');
            List<Long> dims = new ArrayList<>();
            while (!peek(')')) {
                dims.add(integer());
                if (!peek(')')) {
                    expect(',');
                }
            }
            expect(')');
            return dims.stream().mapToLong(Long::longValue).toArray();
        }

        private long integer() {
            skipSpace();
            int start = pos;
            while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
                pos++;
            }
            if (start == pos || pos - start > 18) {
                throw bad("has a header whose shape is not a tuple of non-negative integers");
            }
            long v = Long.parseLong(s.substring(start, pos));
            if (pos < s.length() && s.charAt(pos) == 'L') {
                pos++; // Python 2 wrote long literals as 3L
            }
            return v;
        }

        private String string() {
            skipSpace();
            if (pos >= s.length() || (s.charAt(pos) != '\'' && s.charAt(pos) != '"')) {
                throw bad("has a malformed header (expected a quoted string at character " + pos + ")");
            }
            char q = s.charAt(pos++);
            int end = s.indexOf(q, pos);
            if (end < 0) {
                throw bad("has a malformed header (unterminated string)");
            }
            String v = s.substring(pos, end);
            pos = end + 1;
            return v;
        }

        private boolean peek(char c) {
            skipSpace();
            return pos < s.length() && s.charAt(pos) == c;
        }

        private void expect(char c) {
            if (!peek(c)) {
                throw bad("has a malformed header (expected '" + c + "' at character " + pos + ")");
            }
            pos++;
        }

        private void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        private BadInputException bad(String what) {
            return new BadInputException(file + " " + what + ".");
        }
    }
}
