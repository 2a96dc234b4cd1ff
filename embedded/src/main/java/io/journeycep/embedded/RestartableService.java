package io.journeycep.embedded;

/**
 * The life cycle the embedded services share: {@link #stop()} keeps ports and data, {@link #restart()} starts again on
 * them (for failure tests), {@link #close()} stops for good.
 */
abstract class RestartableService implements AutoCloseable {
    private boolean closed; // guarded by this

    /** Starts the server on this service's ports and data directory. */
    protected abstract void startServer() throws Exception;

    /** Stops the server; ports and data are kept. */
    public abstract void stop();

    /** Whether the server is currently running. */
    public abstract boolean isRunning();

    /** Starts again on the same ports with the same data. A running server is stopped first. */
    public synchronized void restart() throws Exception {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        stop();
        startServer();
    }

    /** Stops the server for good. The data directory is not deleted. */
    @Override
    public synchronized void close() {
        closed = true;
        stop();
    }

    static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
