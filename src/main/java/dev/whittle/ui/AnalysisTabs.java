package dev.whittle.ui;

import dev.whittle.core.analysis.SensitivityCache;
import javafx.scene.control.Tab;

/**
 * Adds the Sensitivity and Per-layer latency tabs to the window's bottom analysis pane. Their
 * view models live here rather than in {@link MainViewModel}: they read the open model, the plan
 * and the job runner, and nothing else reads them.
 */
public final class AnalysisTabs {
    private final SensitivityViewModel sensitivity;
    private final LatencyViewModel latency;
    private final SensitivityView sensitivityView;
    private final LatencyView latencyView;

    private AnalysisTabs(MainView view, MainViewModel vm) {
        sensitivity = new SensitivityViewModel(vm, SensitivityCache::standard);
        latency = new LatencyViewModel(vm);
        sensitivityView = new SensitivityView(sensitivity, vm);
        latencyView = new LatencyView(latency, vm);
        view.analysis().getTabs().addAll(MainView.tab("Sensitivity", "sensitivityTab", sensitivityView),
                MainView.tab("Per-layer latency", "latencyTab", latencyView));
        view.analysis().getProperties().put(AnalysisTabs.class, this);
    }

    /** The tabs installed in {@code view}, or null. */
    public static AnalysisTabs of(MainView view) {
        return (AnalysisTabs) view.analysis().getProperties().get(AnalysisTabs.class);
    }

    /** Adds the tabs to {@code view}'s analysis pane; the result gives tests and screenshots the view models. */
    public static AnalysisTabs install(MainView view, MainViewModel vm) {
        return new AnalysisTabs(view, vm);
    }

    public SensitivityViewModel sensitivity() {
        return sensitivity;
    }

    public LatencyViewModel latency() {
        return latency;
    }

    SensitivityView sensitivityView() {
        return sensitivityView;
    }

    LatencyView latencyView() {
        return latencyView;
    }
}
