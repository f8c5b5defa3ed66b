package dev.whittle.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class FormatTest {
    @Test
    void bytesUseBinaryUnitsWithOneDecimal() {
        assertEquals("512 B", Format.bytes(512));
        assertEquals("576.0 KiB", Format.bytes(589_824));
        assertEquals("86.8 MiB", Format.bytes(91_005_000));
    }

    @Test
    void numbersKeepFourSignificantDigitsAndSwitchToScientificWhenTiny() {
        assertEquals("0", Format.number(0));
        assertEquals("-0.7725", Format.number(-0.77251));
        assertEquals("0.1", Format.number(0.1));
        assertEquals("9.174e-05", Format.number(9.1742e-5));
        assertEquals("1.235e+06", Format.number(1_234_567));
        assertEquals("n/a", Format.number(Double.NaN));
    }

    @Test
    void countsAndPercentages() {
        assertEquals("22,713,926", Format.count(22_713_926));
        assertEquals("22.7M", Format.shortCount(22_713_926));
        assertEquals("147.5k", Format.shortCount(147_456));
        assertEquals("5.56 %", Format.percent(1 / 18.0));
    }
}
