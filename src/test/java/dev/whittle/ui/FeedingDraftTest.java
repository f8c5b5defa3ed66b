package dev.whittle.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.whittle.core.BadInputException;
import dev.whittle.core.compare.DataChoice;
import dev.whittle.core.eval.Datasets;
import dev.whittle.core.model.ModelGraph;
import dev.whittle.testing.StateModels;
import dev.whittle.testing.StateStreamFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The feeding settings behind the workbench's "How inputs are fed" dialog: what it shows for
 * each input, the stream it sets up, the spec it saves (read back equal to a hand-written one),
 * and the errors that name what is wrong.
 */
class FeedingDraftTest {
    @TempDir
    Path dir;

    private ModelGraph model() throws Exception {
        StateStreamFiles.main(new String[] {dir.toString()});
        return StateModels.vad(StateModels.WO, false).graph();
    }

    @Test
    void aSpecWithAStateHeldWholeShowsHowEachInputIsFed() throws Exception {
        ModelGraph g = model();
        FeedingDraft d = FeedingDraft.of(g, DataChoice.spec(dir.resolve("zero-state.yaml")));
        assertEquals(List.of("x", "state", "sr"), d.inputNames());
        assertEquals(FeedingDraft.WHOLE, d.axis("state"));
        assertEquals(FeedingDraft.AUTO, d.axis("x"));
        FeedingDraft.Check c = d.check();
        assertEquals(240, c.samples());
        Map<String, String> fed = new java.util.LinkedHashMap<>();
        c.rows().forEach(r -> fed.put(r.input(), r.usedText()));
        assertEquals(Map.of("x", "samples along axis 0", "state", "whole, to every run", "sr", "whole, to every run"), fed);
        assertTrue(c.notes().stream().anyMatch(n -> n.contains("sr")), c.notes().toString());
    }

    @Test
    void arraysWithAStreamSaveTheSpecAHandWrittenOneIs() throws Exception {
        ModelGraph g = model();
        DataChoice arrays = new DataChoice(DataChoice.Kind.ARRAYS, Map.of("x", dir.resolve("x.npy").toString(),
                "sr", dir.resolve("sr.npy").toString()), null, null, 1, 0, null, 0, null);
        FeedingDraft d = FeedingDraft.of(g, arrays);
        // without the state, the data does not feed the model: the error names the input
        BadInputException e = assertThrows(BadInputException.class, d::check);
        assertTrue(e.getMessage().contains("state"), e.getMessage());
        d.setCarried("state", "stateN");
        d.setReset(60L);
        assertTrue(d.streaming());
        FeedingDraft.Check c = d.check();
        assertEquals(240, c.samples());
        assertEquals("previous chunk's stateN (zeros to start)", c.rows().get(1).usedText());
        DataChoice saved = d.save(dir.resolve("saved.yaml"));
        assertEquals(DataChoice.Kind.SPEC, saved.kind());
        var want = Datasets.readSpec(dir.resolve("stream.yaml"));
        var got = Datasets.readSpec(dir.resolve("saved.yaml"));
        assertEquals(want.inputs(), got.inputs());
        assertEquals(want.stream(), got.stream());
        assertNull(got.axes());
        assertTrue(Files.readString(dir.resolve("saved.yaml")).startsWith("# written by the Whittle workbench"));
        // and the saved spec loads for evaluation as the hand-written one does
        assertEquals(DataChoice.spec(dir.resolve("stream.yaml")).load(g).stream(), saved.load(g).stream());
        // a re-opened spec comes back with its stream
        FeedingDraft again = FeedingDraft.of(g, saved);
        assertEquals("stateN", again.carried("state"));
        assertEquals(60L, again.reset());
    }

    @Test
    void badSettingsNameWhatIsWrong() throws Exception {
        ModelGraph g = model();
        FeedingDraft d = FeedingDraft.of(g, DataChoice.spec(dir.resolve("zero-state.yaml")));
        d.setAxis("x", "5");
        BadInputException e = assertThrows(BadInputException.class, d::check);
        assertTrue(e.getMessage().contains("x"), e.getMessage());
        d.setAxis("x", "auto");
        d.setCarried("state", "noSuchOutput");
        e = assertThrows(BadInputException.class, d::check);
        assertTrue(e.getMessage().contains("noSuchOutput"), e.getMessage());
        assertThrows(BadInputException.class, () -> d.setReset(-1L));
        assertThrows(BadInputException.class, () -> d.setAxis("x", "sideways"));
        e = assertThrows(BadInputException.class, () -> FeedingDraft.of(g, DataChoice.synthetic(8, 1)));
        assertTrue(e.getMessage().contains("array data"), e.getMessage());
    }
}
