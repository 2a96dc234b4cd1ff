package io.journeycep.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** Loopback port helpers and a tiny properties file for remembering ports between runs. */
final class Ports {
    private Ports() {
    }

    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    /** A port that was free on 127.0.0.1 a moment ago. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(LOOPBACK, 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    /** Whether the port can be bound on 127.0.0.1 right now. */
    static boolean isFree(int port) {
        if (port <= 0 || port > 65535) {
            return false;
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true); // like the servers themselves: TIME_WAIT from our own last run is fine
            socket.bind(new InetSocketAddress(LOOPBACK, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The remembered port if it is still free, otherwise a new free one. */
    static int reuseOrPick(String remembered) {
        if (remembered != null) {
            try {
                int port = Integer.parseInt(remembered.trim());
                if (isFree(port)) {
                    return port;
                }
            } catch (NumberFormatException ignored) {
                // pick a new one
            }
        }
        return freePort();
    }

    static Properties load(Path file) {
        Properties props = new Properties();
        if (Files.isRegularFile(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                props.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        return props;
    }

    static void store(Path file, Properties props, String comment) {
        try (OutputStream out = Files.newOutputStream(file)) {
            props.store(out, comment);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
