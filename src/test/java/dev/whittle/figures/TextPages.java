package dev.whittle.figures;

import java.awt.*;
import java.awt.image.BufferedImage;
import java.io.*;
import java.nio.*;
import java.nio.file.*;
import java.util.Random;

/**
 * Rendered text pages for PP-OCR's detector (lines of words in three fonts, random sizes and
 * shades), normalized as PaddleOCR does, written as one .npy [n, 3, size, size] float32. Not a test:
 * {@code java -Djava.awt.headless=true -cp target/test-classes dev.whittle.figures.TextPages N SIZE SEED OUT.npy}
 * (docs/quantization.md: 4 pages seed 1 for calibration, 8 pages seed 2 for timing).
 */
public final class TextPages {
    private TextPages() {
    }

    public static void main(String[] a) throws Exception {
        int n = Integer.parseInt(a[0]), size = Integer.parseInt(a[1]);
        long seed = Long.parseLong(a[2]);
        Random r = new Random(seed);
        String[] fonts = {Font.SERIF, Font.SANS_SERIF, Font.MONOSPACED};
        String[] words = "the quick brown fox jumps over lazy dog model compression int8 quantize layer kernel runtime float batch 2026 invoice total amount page receipt".split(" ");
        float[] mean = {0.485f, 0.456f, 0.406f}, std = {0.229f, 0.224f, 0.225f};
        ByteBuffer out = ByteBuffer.allocate(n * 3 * size * size * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            int bg = 220 + r.nextInt(36);
            g.setColor(new Color(bg, bg - r.nextInt(10), bg - r.nextInt(20)));
            g.fillRect(0, 0, size, size);
            int y = 20;
            while (y < size - 10) {
                int fs = 12 + r.nextInt(24);
                g.setFont(new Font(fonts[r.nextInt(3)], r.nextBoolean() ? Font.PLAIN : Font.BOLD, fs));
                g.setColor(new Color(r.nextInt(60), r.nextInt(60), r.nextInt(60)));
                StringBuilder line = new StringBuilder();
                for (int w = 0, m = 2 + r.nextInt(8); w < m; w++) line.append(words[r.nextInt(words.length)]).append(' ');
                g.drawString(line.toString(), 10 + r.nextInt(60), y + fs);
                y += fs + 8 + r.nextInt(30);
            }
            g.dispose();
            for (int c = 0; c < 3; c++)
                for (int yy = 0; yy < size; yy++)
                    for (int xx = 0; xx < size; xx++) {
                        int p = img.getRGB(xx, yy);
                        int v = c == 0 ? (p >> 16) & 255 : c == 1 ? (p >> 8) & 255 : p & 255;
                        out.putFloat((v / 255f - mean[c]) / std[c]);
                    }
        }
        String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + n + ", 3, " + size + ", " + size + "), }";
        int total = 10 + header.length() + 1;
        int pad = (64 - total % 64) % 64;
        header = header + " ".repeat(pad) + "\n";
        try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(Path.of(a[3])))) {
            o.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
            o.write(header.length() & 255); o.write(header.length() >> 8);
            o.write(header.getBytes("ASCII"));
            o.write(out.array());
        }
    }
}
