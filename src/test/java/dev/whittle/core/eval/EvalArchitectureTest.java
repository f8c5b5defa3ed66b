package dev.whittle.core.eval;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class EvalArchitectureTest {
    static final JavaClasses MAIN = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.whittle");

    @Test
    void onlyTheEvalPackageUsesOnnxRuntime() {
        noClasses().that().resideOutsideOfPackage("dev.whittle.core.eval..")
                .should().dependOnClassesThat().resideInAPackage("ai.onnxruntime..")
                .check(MAIN);
    }

    @Test
    void jobsAndEvaluationNeverTouchJavaFxOrProtobuf() {
        noClasses().that().resideInAnyPackage("dev.whittle.core.job..", "dev.whittle.core.eval..")
                .should().dependOnClassesThat().resideInAnyPackage("javafx..", "ai.onnx.proto..")
                .check(MAIN);
    }
}
