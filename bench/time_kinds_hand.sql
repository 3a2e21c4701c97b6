-- The best hand-written DuckDB query for the numbers of bench/time_kinds.yaml (compared with
-- lodestar's compiled scorecard by bench/time_kinds.sh): one pass per kind, each with the
-- cheapest plan I know in DuckDB (daily pre-aggregation for month-to-date, first booking per
-- guest for the cumulative distinct count, an ASOF join for the conversion).
WITH weekly AS (
    SELECT CAST(date_trunc('week', booked_at) AS DATE) AS period,
           SUM(nights) FILTER (WHERE status = 'confirmed') AS nights
    FROM analytics.bookings
    WHERE booked_at IS NOT NULL
    GROUP BY 1
),
daily AS (
    SELECT CAST(booked_at AS DATE) AS day,
           SUM(nights) FILTER (WHERE status = 'confirmed') AS nights
    FROM analytics.bookings
    WHERE booked_at IS NOT NULL
    GROUP BY 1
),
conv AS (
    SELECT CAST(date_trunc('week', s.searched_at) AS DATE) AS period,
           COUNT(DISTINCT s.guest_id) AS base,
           COUNT(DISTINCT s.guest_id) FILTER (WHERE b.booked_at <= s.searched_at + INTERVAL 7 DAY) AS converted
    FROM analytics.searches AS s
    ASOF LEFT JOIN (
        SELECT guest_id, booked_at FROM analytics.bookings
        WHERE status = 'confirmed' AND guest_id IS NOT NULL AND booked_at IS NOT NULL
    ) AS b ON s.guest_id = b.guest_id AND b.booked_at >= s.searched_at
    WHERE s.guest_id IS NOT NULL AND s.searched_at IS NOT NULL
    GROUP BY 1
),
spine AS (
    SELECT period FROM weekly UNION SELECT period FROM conv
),
mtd AS (
    SELECT p.period, SUM(d.nights) AS nights
    FROM spine AS p
    JOIN daily AS d
      ON d.day >= date_trunc('month', p.period + 6) AND d.day <= p.period + 6
    GROUP BY 1
),
firsts AS (
    SELECT CAST(date_trunc('week', MIN(booked_at)) AS DATE) AS period, 1 AS one
    FROM analytics.bookings
    WHERE guest_id IS NOT NULL AND booked_at IS NOT NULL
    GROUP BY guest_id
),
ever AS (
    SELECT p.period, SUM(COUNT(f.one)) OVER (ORDER BY p.period) AS guests
    FROM spine AS p
    LEFT JOIN firsts AS f ON f.period = p.period
    GROUP BY p.period
)
SELECT p.period AS period,
       COALESCE(w.nights, 0) AS nights_booked,
       COALESCE(m.nights, 0) AS nights_booked_mtd,
       COALESCE(e.guests, 0) AS guests_ever,
       CAST(c.converted AS DOUBLE) / NULLIF(c.base, 0) AS search_to_booking_7d,
       CAST(COALESCE(w.nights, 0) - COALESCE(w1.nights, 0) AS DOUBLE) / NULLIF(COALESCE(w1.nights, 0), 0) AS nights_booked_wow
FROM spine AS p
LEFT JOIN weekly AS w ON w.period = p.period
LEFT JOIN weekly AS w1 ON w1.period = p.period - 7
LEFT JOIN mtd AS m ON m.period = p.period
LEFT JOIN ever AS e ON e.period = p.period
LEFT JOIN conv AS c ON c.period = p.period
ORDER BY period;
