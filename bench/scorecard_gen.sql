-- The benchmark warehouse for bench/scorecard.sh: the tables of
-- tests/fixtures/valid/marketplace.yaml, generated inside DuckDB with range().
-- 10 million bookings over two years (2024-2025), 5 million searches, 2 million reviews,
-- 300 thousand users. Deterministic: every column is a hash of the row number.
CREATE SCHEMA analytics;

CREATE TABLE analytics.bookings AS
SELECT
    TIMESTAMP '2024-01-01 00:00:00' + to_seconds(CAST(hash(i) % 63072000 AS BIGINT)) AS booked_at,
    CAST(1 + hash(i * 3) % 14 AS INTEGER) AS nights,
    CASE hash(i * 5) % 40 WHEN 0 THEN 'refunded' WHEN 1 THEN 'cancelled' WHEN 2 THEN 'pending'
         ELSE 'confirmed' END AS status,
    ['lisbon', 'new_york', 'mexico_city', 'tokyo', 'paris'][CAST(1 + hash(i * 7) % 5 AS BIGINT)] AS market,
    ['web', 'iOS', 'Android'][CAST(1 + hash(i * 11) % 3 AS BIGINT)] AS device,
    CAST(hash(i * 13) % 8000000 AS BIGINT) AS search_id,
    CAST(hash(i * 17) % 2000000 AS BIGINT) AS guest_id,
    CAST(hash(i * 19) % 300000 AS BIGINT) AS host_id
FROM range(10000000) AS t(i);

CREATE TABLE analytics.searches AS
SELECT
    TIMESTAMP '2024-01-01 00:00:00' + to_seconds(CAST(hash(i + 1) % 63072000 AS BIGINT)) AS searched_at,
    CAST(i AS BIGINT) AS search_id,
    CAST(hash(i * 23) % 2000000 AS BIGINT) AS guest_id
FROM range(5000000) AS t(i);

CREATE TABLE analytics.reviews AS
SELECT
    TIMESTAMP '2024-01-01 00:00:00' + to_seconds(CAST(hash(i + 2) % 63072000 AS BIGINT)) AS created_at,
    CAST(3 + hash(i * 29) % 3 AS INTEGER) AS rating
FROM range(2000000) AS t(i);

CREATE TABLE analytics.users AS
SELECT
    TIMESTAMP '2024-01-01 00:00:00' + to_seconds(CAST(hash(i + 3) % 63072000 AS BIGINT)) AS onboarded_at,
    CAST(i AS BIGINT) AS host_id,
    CASE WHEN hash(i * 31) % 4 = 0 THEN 'host' ELSE 'guest' END AS role
FROM range(300000) AS t(i);
