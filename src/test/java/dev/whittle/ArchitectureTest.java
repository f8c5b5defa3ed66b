package dev.whittle;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The one direction of arrows (STYLE.md section 1), checked on main code only: core and cli
 * never touch JavaFX, only core.onnx touches protobuf, only core.eval touches ONNX Runtime, the
 * compression methods never run a model (no core.eval, no core.analysis), and evaluation never
 * imports the methods, the analyses built on them, or recipes.
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

    @ArchTest
    static final ArchRule methodsNeverRunAModel = noClasses()
            .that().resideInAnyPackage("dev.whittle.core.prune..", "dev.whittle.core.quant..", "dev.whittle.core.lowrank..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.whittle.core.eval..", "dev.whittle.core.analysis..")
            .because("a method takes statistics as plain values; running a model to collect them is core.analysis");

    @ArchTest
    static final ArchRule evaluationNeverImportsMethods = noClasses()
            .that().resideInAPackage("dev.whittle.core.eval..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.whittle.core.prune..", "dev.whittle.core.quant..",
                    "dev.whittle.core.lowrank..", "dev.whittle.core.analysis..", "dev.whittle.core.recipe..",
                    "dev.whittle.core.compare..")
            .because("evaluation judges any model; what compresses it sits above, in core.analysis and core.recipe");
}
