package dev.whittle.testing;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 of what a model computes: its serialized ModelProto with the producer and the
 * metadata_props cleared. Written models record how they were made (producer, recipe copy,
 * factor names) in those fields; hashing without them checks that the graph, weights and
 * opsets stayed byte-identical while the record changed.
 */
public final class ModelHash {
    private ModelHash() {
    }

    public static String withoutRecord(Path model) throws IOException {
        OnnxMl.ModelProto m;
        try (InputStream in = Files.newInputStream(model)) {
            m = OnnxMl.ModelProto.parseFrom(in);
        }
        byte[] bytes = m.toBuilder().clearProducerName().clearProducerVersion().clearMetadataProps().build().toByteArray();
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void main(String[] args) throws IOException {
        for (String a : args) {
            System.out.println(withoutRecord(Path.of(a)) + "  " + a);
        }
    }
}
