package dev.whittle.cli;

import dev.whittle.core.WhittleVersion;
import picocli.CommandLine.IVersionProvider;

final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"whittle " + WhittleVersion.get()};
    }
}
