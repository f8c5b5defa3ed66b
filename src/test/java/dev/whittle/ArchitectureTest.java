package dev.whittle;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The one direction of arrows (STYLE.md section 1), checked on main code only: core and cli
 * never touch JavaFX, only core.onnx touches protobuf, only core.eval touches ONNX Runtime.
 */
// DoNotIncludeJars: Whittle's main classes are in target/classes; scanning the ND4J and ONNX
// Runtime jars for "dev.whittle" classes only costs seconds.
@AnalyzeClasses(packages = "dev.whittle",
        importOptions = {ImportOption.DoNotIncludeTests.class, ImportOption.DoNotIncludeJars.class})
class ArchitectureTest {
    @ArchTest
    static final ArchRule coreAndCliDoNotUseJavaFx = noClasses()
            .that().resideInAnyPackage("dev.whittle.core..", "dev.whittle.cli..")
            .should().dependOnClassesThat().resideInAnyPackage("javafx..")
            .because("core and cli run headless and are shared with the UI");

    @ArchTest
    static final ArchRule onlyCoreOnnxUsesProtobuf = noClasses()
            .that().resideOutsideOfPackage("dev.whittle.core.onnx..")
            .should().dependOnClassesThat().resideInAnyPackage("ai.onnx.proto..", "com.google.protobuf..")
            .because("the protobuf representation of a model is an implementation detail of core.onnx");

    @ArchTest
    static final ArchRule onlyCoreEvalUsesOnnxRuntime = noClasses()
            .that().resideOutsideOfPackage("dev.whittle.core.eval..")
            .should().dependOnClassesThat().resideInAnyPackage("ai.onnxruntime..")
            .because("other code asks core.eval to run models");

    @ArchTest
    static final ArchRule coreDoesNotDependOnCliOrUi = noClasses()
            .that().resideInAPackage("dev.whittle.core..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.whittle.cli..", "dev.whittle.ui..")
            .because("arrows point from cli and ui into core, never back");
}
