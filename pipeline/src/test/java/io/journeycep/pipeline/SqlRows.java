package io.journeycep.pipeline;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Query results as text for tests that compare tables: each row's columns joined by {@code " | "}. */
public final class SqlRows {
    private SqlRows() {}

    /** The remaining rows of {@code rs}. */
    public static List<String> of(ResultSet rs) throws SQLException {
        List<String> rows = new ArrayList<>();
        ResultSetMetaData md = rs.getMetaData();
        while (rs.next()) {
            StringBuilder b = new StringBuilder();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                b.append(i > 1 ? " | " : "").append(rs.getString(i));
            }
            rows.add(b.toString());
        }
        return rows;
    }
}
