package dev.whittle.ui;

import dev.whittle.core.model.WeightLayer;
import dev.whittle.core.onnx.OnnxModel;
import dev.whittle.core.plan.LayerError;
import dev.whittle.core.plan.ResolvedPlan;
import dev.whittle.core.preview.LayerFacts;
import dev.whittle.core.preview.PreviewCache;
import dev.whittle.core.preview.Spectrum;
import dev.whittle.core.tensor.Histogram;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;

/**
 * The layer inspector's state: the selected layer, its cached facts (the instant tier's
 * statistics, computed once per layer as a job) and spectrum (a job, started when the low-rank
 * tab wants it), and one model per tab. The tabs' controls always show the plan: selecting a
 * layer, undo and redo load them from the resolved plan; moving a control previews at once
 * and writes the plan when the gesture ends.
 */
public final class InspectorViewModel {
    /** Ops that low-rank factoring applies to. */
    static final Set<String> FACTORABLE = Set.of("MatMul", "Gemm", "Conv");

    private final JobRunner jobs;
    private final PlanViewModel plan;
    private final PreviewCache cache;
    private final ReadOnlyObjectWrapper<WeightLayer> layer = new ReadOnlyObjectWrapper<>(this, "layer");
    private final ReadOnlyObjectWrapper<LayerFacts> facts = new ReadOnlyObjectWrapper<>(this, "facts");
    private final ReadOnlyObjectWrapper<Spectrum> spectrum = new ReadOnlyObjectWrapper<>(this, "spectrum");
    private final ReadOnlyStringWrapper factsMessage = new ReadOnlyStringWrapper(this, "factsMessage", "Select a layer.");
    private final ReadOnlyStringWrapper spectrumMessage = new ReadOnlyStringWrapper(this, "spectrumMessage", "");
    private final ReadOnlyStringWrapper finalError = new ReadOnlyStringWrapper(this, "finalError", "");
    private final LatestOnly<LayerError> errorJob;
    private final Debounce errorPause;
    private final BooleanProperty wantSpectrum = new SimpleBooleanProperty(this, "wantSpectrum", false);
    // |w| histograms drawn under the threshold line, binned with the facts; weak: they go with them.
    private final Map<LayerFacts, Histogram> magnitudes = Collections.synchronizedMap(new WeakHashMap<>());
    private final PruneViewModel prune;
    private final QuantViewModel quant;
    private final RankViewModel rank;
    private long generation;
    private boolean spectrumStarted;
    private Runnable pendingFacts;
    private RunningJob factsJob;

    public InspectorViewModel(JobRunner jobs, PlanViewModel plan, PreviewCache cache) {
        this.jobs = jobs;
        this.plan = plan;
        this.cache = cache;
        prune = new PruneViewModel(this, plan, jobs, jobs.debounce());
        quant = new QuantViewModel(this, plan, jobs, jobs.debounce());
        rank = new RankViewModel(this, plan, jobs);
        errorJob = new LatestOnly<>(jobs, "Layer error under the plan");
        errorPause = jobs.debounce();
        plan.resolvedProperty().addListener((o, a, r) -> {
            loadFromPlan();
            updateFinalError();
        });
        wantSpectrum.addListener((o, a, b) -> {
            if (b) {
                startSpectrum(generation);
            }
        });
    }

    /** Shows {@code l} (null clears): facts from the cache at once, or computed in the background. */
    public void select(WeightLayer l) {
        select(l, false);
    }

    /**
     * Shows {@code l}; with {@code deferFacts}, a facts job it needs waits for {@link #releaseFacts()}:
     * the window shows the layer's histogram first, and the two jobs would share the cores. A
     * facts job still running for the layer shown before is cancelled: nobody waits for it.
     */
    public void select(WeightLayer l, boolean deferFacts) {
        long gen = ++generation;
        pendingFacts = null;
        if (factsJob != null) {
            factsJob.cancel();
            factsJob = null;
        }
        prune.invalidate();
        quant.invalidate();
        layer.set(l);
        updateFinalError();
        facts.set(null);
        spectrum.set(null);
        spectrumStarted = false;
        spectrumMessage.set(l == null ? "" : FACTORABLE.contains(l.op()) ? "Computing the singular values..."
                : l.op() + " layers are not factored (low rank applies to MatMul, Gemm and Conv).");
        if (l == null) {
            factsMessage.set("Select a layer.");
            return;
        }
        if (l.tensor() == null || !l.tensor().isNumeric() || !l.dtype().isFloating()) {
            factsMessage.set("The weight of " + l.node() + " is not a float tensor: nothing to tune.");
            return;
        }
        var cached = cache.peekFacts(l.node());
        if (cached.isPresent() && magnitudes.containsKey(cached.get())) {
            showFacts(cached.get());
        } else {
            factsMessage.set("Computing the statistics of " + Format.count(l.params()) + " weights...");
            Runnable start = () -> startFacts(l, gen);
            if (deferFacts) {
                pendingFacts = start;
            } else {
                start.run();
            }
        }
        if (wantSpectrum.get()) {
            startSpectrum(gen);
        }
    }

    /** Starts the facts job that {@link #select(WeightLayer, boolean)} deferred, if any. */
    public void releaseFacts() {
        Runnable r = pendingFacts;
        pendingFacts = null;
        if (r != null) {
            r.run();
        }
    }

    private void startFacts(WeightLayer l, long gen) {
        var job = cache.facts(l);
        // The |w| histogram is binned here too, off the FX thread, and swapped in with the facts.
        factsJob = jobs.start("Statistics of " + l.node(), (p, c) -> {
            LayerFacts f = job.run(p, c);
            Histogram h = PruneViewModel.histogram(f);
            return Map.entry(f, h);
        }, fh -> {
            magnitudes.put(fh.getKey(), fh.getValue());
            if (gen == generation) {
                factsJob = null;
                showFacts(fh.getKey());
            }
        }, e -> {
            if (gen == generation) {
                factsJob = null;
                factsMessage.set("Cannot compute the statistics: " + ErrorReport.of("", e).message());
            }
        });
    }

    private void showFacts(LayerFacts f) {
        factsMessage.set("");
        facts.set(f);
        loadFromPlan();
    }

    private void startSpectrum(long gen) {
        WeightLayer l = layer.get();
        OnnxModel m = plan.model();
        if (l == null || m == null || spectrumStarted || !FACTORABLE.contains(l.op())) {
            return;
        }
        spectrumStarted = true;
        var cached = cache.peekSpectrum(l.node(), "svd");
        if (cached.isPresent()) {
            spectrum.set(cached.get());
            spectrumMessage.set("");
            rank.load();
            return;
        }
        long start = System.nanoTime();
        jobs.start("Spectrum of " + l.node(), cache.spectrum(m, l, "svd"), s -> {
            if (gen != generation) {
                return;
            }
            spectrum.set(s);
            spectrumMessage.set(s == null ? "This layer cannot be factored." : "");
            if (s != null) {
                rank.computedIn((System.nanoTime() - start) / 1e6);
            }
            rank.load();
        }, e -> {
            if (gen == generation) {
                spectrumMessage.set("Cannot compute the singular values: " + ErrorReport.of("", e).message());
            }
        });
    }

    /** The plan changed (an edit, undo, redo, a recipe): the controls show it. */
    private void loadFromPlan() {
        if (facts.get() != null) {
            prune.load();
            quant.load();
        }
        if (spectrum.get() != null) {
            rank.load();
        }
    }

    /**
     * The selected layer's error under everything the plan does to it (prune, then low rank, then
     * quantize, as apply composes them): the exact tier, after a pause, latest request only.
     */
    private void updateFinalError() {
        ResolvedPlan.Effective e = effective();
        if (e == null || e.untouched()) {
            errorJob.invalidate();
            finalError.set(e == null ? "" : "The plan leaves this layer as it is.");
            return;
        }
        finalError.set("Working out the layer's error under the whole plan...");
        WeightLayer l = layer.get();
        errorPause.call(() -> errorJob.submit(LayerError.job(e), r -> {
            if (layer.get() == l) {
                finalError.set(String.format(java.util.Locale.ROOT,
                        "Under the whole plan (prune, then low rank, then quantize): relative error %.4f, SQNR %s%s",
                        r.relativeError(), Double.isInfinite(r.sqnrDb()) ? "inf" : String.format(java.util.Locale.ROOT,
                                "%.1f dB", r.sqnrDb()), r.note() == null ? "." : " (" + r.note() + ")."));
            }
        }));
    }

    /** The selected layer's final error under the plan, in words (empty when no layer). */
    public ReadOnlyStringProperty finalErrorProperty() {
        return finalError.getReadOnlyProperty();
    }

    /** What the plan finally does to the selected layer, or null. */
    ResolvedPlan.Effective effective() {
        WeightLayer l = layer.get();
        ResolvedPlan r = plan.resolvedProperty().get();
        return l == null || r == null ? null : r.layer(l.node());
    }

    public ReadOnlyObjectProperty<WeightLayer> layerProperty() {
        return layer.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<LayerFacts> factsProperty() {
        return facts.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<Spectrum> spectrumProperty() {
        return spectrum.getReadOnlyProperty();
    }

    /** Empty when facts are shown; else why not (computing, failed, not a float weight). */
    public ReadOnlyStringProperty factsMessageProperty() {
        return factsMessage.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty spectrumMessageProperty() {
        return spectrumMessage.getReadOnlyProperty();
    }

    /** Set while the low-rank tab is showing: the spectrum is a job worth starting only then. */
    public BooleanProperty wantSpectrumProperty() {
        return wantSpectrum;
    }

    public PruneViewModel prune() {
        return prune;
    }

    public QuantViewModel quant() {
        return quant;
    }

    public RankViewModel rank() {
        return rank;
    }

    /** The |w| histogram binned with the facts {@code f}, or null. */
    Histogram magnitudes(LayerFacts f) {
        return magnitudes.get(f);
    }

    public PreviewCache cache() {
        return cache;
    }
}
