import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilders;

/**
 * A throwaway Neo4j for graphapp's tests and benchmarks.
 *
 * Usage: java -cp CLASSPATH Neo4jLauncher.java PORT WORKDIR
 *
 * Listens for Bolt on 127.0.0.1:PORT only, with authentication off, and prints "READY bolt://..." once it
 * accepts connections. Reads commands on standard input: "stop" shuts the server down (prints "STOPPED"),
 * "start" starts it again on the same port (prints "READY ..."), and "quit" or end of input shuts it down
 * and exits. Stopping and starting lets the fault tests take the database away from a running app.
 * System properties: graphapp.pagecache (bytes), graphapp.transaction.max (bytes one transaction may use).
 */
public class Neo4jLauncher {
    static Neo4j start(int port, Path workDir) {
        return Neo4jBuilders.newInProcessBuilder(workDir)
                .withDisabledServer()
                .withConfig(BoltConnector.enabled, true)
                .withConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .withConfig(GraphDatabaseSettings.pagecache_memory, Long.getLong("graphapp.pagecache", 512L << 20))
                // (0: no limit of its own; the default's, 70% of the heap for all transactions, holds)
                .withConfig(GraphDatabaseSettings.memory_transaction_max_size, Long.getLong("graphapp.transaction.max", 0L))
                .build();
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Path workDir = Path.of(args[1]);
        Neo4j neo4j = start(port, workDir);
        System.out.println("READY " + neo4j.boltURI());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        String line;
        while ((line = in.readLine()) != null) {
            String command = line.trim();
            if (command.equals("stop") && neo4j != null) {
                neo4j.close();
                neo4j = null;
                System.out.println("STOPPED");
            } else if (command.equals("start") && neo4j == null) {
                neo4j = start(port, workDir);
                System.out.println("READY " + neo4j.boltURI());
            } else if (command.equals("quit")) {
                break;
            } else {
                System.out.println("IGNORED " + command);
            }
            System.out.flush();
        }
        if (neo4j != null) {
            neo4j.close();
        }
        System.exit(0);
    }
}
