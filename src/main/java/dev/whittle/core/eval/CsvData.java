package dev.whittle.core.eval;

import dev.whittle.core.BadInputException;
import dev.whittle.core.model.ModelGraph;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads a CSV of one sample per line (a label column plus float values) into a Dataset. */
final class CsvData {
    private CsvData() {
    }

    static Dataset load(Path file, DatasetSpec.Csv spec, ModelGraph model) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (NoSuchFileException e) {
            throw new BadInputException("CSV file " + file + " does not exist.", e);
        } catch (IOException e) {
            throw new BadInputException("CSV file " + file + " cannot be read: " + e.getMessage(), e);
        }
        lines = lines.stream().filter(l -> !l.isBlank()).toList();
        String name = file.getFileName().toString();
        if (lines.isEmpty()) {
            throw new BadInputException("CSV file " + name + " is empty.");
        }
        String[] first = split(lines.get(0));
        boolean header = spec.header() != null ? spec.header() : !numeric(first);
        int labelCol = labelColumn(spec.labelColumn(), header ? first : null, first.length, name);
        int start = header ? 1 : 0;
        int n = lines.size() - start;
        int cols = first.length - (labelCol >= 0 ? 1 : 0);
        float[] values = new float[Math.multiplyExact(n, cols)];
        long[] labels = labelCol >= 0 ? new long[n] : null;
        for (int i = 0; i < n; i++) {
            String[] f = split(lines.get(start + i));
            if (f.length != first.length) {
                throw new BadInputException("CSV file " + name + " line " + (start + i + 1) + " has " + f.length
                        + " fields; the first line has " + first.length + ".");
            }
            int k = 0;
            for (int c = 0; c < f.length; c++) {
                try {
                    if (c == labelCol) {
                        labels[i] = Long.parseLong(f[c]);
                    } else {
                        values[i * cols + k++] = Float.parseFloat(f[c]);
                    }
                } catch (NumberFormatException e) {
                    throw new BadInputException("CSV file " + name + " line " + (start + i + 1) + " column " + (c + 1) + " is '"
                            + f[c] + "', not a " + (c == labelCol ? "integer label" : "number") + ".");
                }
            }
        }
        long[] shape = sampleShape(spec.shape(), n, cols, name);
        String input = spec.input() != null ? spec.input() : Datasets.onlyInput(model, "a csv spec without 'input'");
        HostTensor y = labels == null ? null : HostTensor.ofLongs(new long[] {n}, labels);
        return new Dataset(Map.of(input, HostTensor.ofFloats(shape, values)), y, name);
    }

    private static long[] sampleShape(List<Long> per, int n, int cols, String name) {
        if (per == null || per.isEmpty()) {
            return new long[] {n, cols};
        }
        long count = per.stream().mapToLong(Long::longValue).reduce(1, (a, b) -> a * b);
        if (count != cols) {
            throw new BadInputException("CSV file " + name + " has " + cols + " values per sample, but the spec's shape " + per
                    + " holds " + count + ".");
        }
        long[] s = new long[per.size() + 1];
        s[0] = n;
        for (int i = 0; i < per.size(); i++) {
            s[i + 1] = per.get(i);
        }
        return s;
    }

    private static int labelColumn(String spec, String[] header, int width, String name) {
        if (spec == null) {
            return 0;
        }
        if (spec.equalsIgnoreCase("none")) {
            return -1;
        }
        try {
            int i = Integer.parseInt(spec.trim());
            if (i < 0 || i >= width) {
                throw new BadInputException("CSV label column " + i + " is outside the " + width + " columns of " + name + ".");
            }
            return i;
        } catch (NumberFormatException e) {
            if (header != null) {
                for (int i = 0; i < header.length; i++) {
                    if (header[i].equals(spec.trim())) {
                        return i;
                    }
                }
            }
            throw new BadInputException("CSV file " + name + " has no column named '" + spec + "'.");
        }
    }

    private static String[] split(String line) {
        String[] f = line.split(",", -1);
        for (int i = 0; i < f.length; i++) {
            f[i] = f[i].trim();
            if (f[i].length() >= 2 && f[i].startsWith("\"") && f[i].endsWith("\"")) {
                f[i] = f[i].substring(1, f[i].length() - 1);
            }
        }
        return f;
    }

    private static boolean numeric(String[] fields) {
        for (String s : fields) {
            try {
                Double.parseDouble(s);
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return true;
    }
}
