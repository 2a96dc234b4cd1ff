package io.journeycep.model;

/**
 * Inserts into the sorted parallel primitive arrays that compact state classes ({@code UserTransitionModel},
 * {@code DailyActivity}) keep instead of collections, so they stay small Flink POJOs.
 */
public final class PrimitiveArrays {
    private PrimitiveArrays() {}

    /** A copy of {@code a} with {@code v} at index {@code at}. */
    public static int[] insert(int[] a, int at, int v) {
        int[] b = new int[a.length + 1];
        System.arraycopy(a, 0, b, 0, at);
        b[at] = v;
        System.arraycopy(a, at, b, at + 1, a.length - at);
        return b;
    }

    public static short[] insert(short[] a, int at, short v) {
        short[] b = new short[a.length + 1];
        System.arraycopy(a, 0, b, 0, at);
        b[at] = v;
        System.arraycopy(a, at, b, at + 1, a.length - at);
        return b;
    }

    public static byte[] insert(byte[] a, int at, byte v) {
        byte[] b = new byte[a.length + 1];
        System.arraycopy(a, 0, b, 0, at);
        b[at] = v;
        System.arraycopy(a, at, b, at + 1, a.length - at);
        return b;
    }

    public static double[] insert(double[] a, int at, double v) {
        double[] b = new double[a.length + 1];
        System.arraycopy(a, 0, b, 0, at);
        b[at] = v;
        System.arraycopy(a, at, b, at + 1, a.length - at);
        return b;
    }
}
