-- The best hand-written query for the marketplace scorecard (tests/fixtures/valid/marketplace.yaml,
-- weekly, weeks from Monday): one pass over each table with conditional aggregates, joined on
-- the week. The benchmark checks that it gives the same numbers as lodestar's SQL.
WITH b AS (
    SELECT CAST(date_trunc('week', booked_at) AS DATE) AS period,
           sum(nights) FILTER (WHERE status = 'confirmed') AS nights_booked,
           count(*) FILTER (WHERE status = 'confirmed') AS confirmed_bookings,
           count(DISTINCT search_id) AS booked_searches,
           sum(nights) FILTER (WHERE status = 'refunded') AS refunded_nights
    FROM analytics.bookings
    GROUP BY 1
), s AS (
    SELECT CAST(date_trunc('week', searched_at) AS DATE) AS period, count(DISTINCT search_id) AS searches
    FROM analytics.searches
    GROUP BY 1
), r AS (
    SELECT CAST(date_trunc('week', created_at) AS DATE) AS period, avg(rating) AS avg_guest_rating
    FROM analytics.reviews
    GROUP BY 1
), h AS (
    SELECT CAST(date_trunc('week', onboarded_at) AS DATE) AS period, count(DISTINCT host_id) AS new_hosts
    FROM analytics.users
    WHERE role = 'host'
    GROUP BY 1
)
SELECT period,
       nights_booked,
       coalesce(new_hosts, 0) AS new_hosts,
       coalesce(confirmed_bookings, 0) AS confirmed_bookings,
       CAST(nights_booked AS DOUBLE) / nullif(coalesce(confirmed_bookings, 0), 0) AS nights_per_booking,
       CAST(coalesce(booked_searches, 0) AS DOUBLE) / nullif(coalesce(searches, 0), 0) AS search_to_book_rate,
       avg_guest_rating,
       CAST(refunded_nights AS DOUBLE) / nullif(nights_booked, 0) AS refund_rate
FROM b
FULL JOIN s USING (period)
FULL JOIN r USING (period)
FULL JOIN h USING (period)
ORDER BY period
