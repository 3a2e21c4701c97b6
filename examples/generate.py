#!/usr/bin/env python3
"""Generate the example datasets for the reference specs in specs/.

    python3 examples/generate.py [OUT_DIR]        # default: examples/data next to this file

Writes one CSV per source table, at OUT_DIR/<schema>/<table>.csv (the layout `lodestar run
--data` reads: table `music.listens` is OUT_DIR/music/listens.csv). A year of data: 52 weeks,
Monday 2025-11-24 to Sunday 2026-11-22; weeks start on Monday, as everywhere in lodestar.

Deterministic: every table draws from its own random.Random seeded with a fixed string, so the
same script writes the same bytes on every machine (and a change to one product leaves the others
alone). Python standard library only.

The data is shaped to exercise the edges a real warehouse has:
* rows at exactly Monday 00:00:00 and Sunday 23:59:59 (they belong to the week they start/end);
* NULLs (empty fields): unknown markets and countries, messages outside threads, quizzes with no
  score, failed playbacks with no start time, tasks that were never completed, payments for stays
  booked before the data starts;
* duplicate keys: a search and some listens logged twice (count_distinct is unaffected, count
  is not), hosts who list a second home (the first_listings source takes the first);
* strings with a double quote and a comma inside (review comments, feedback notes).

And to tell a story that `lodestar analyze` can find (examples/README.md tells it):
* marketplace: new hosts lead nights booked by two weeks (a new home is booked most once it
  ranks in search, about two weeks after it is listed); the search-to-book rate is noise; nights
  booked lead net revenue (guests pay at check-in, days after booking); from late June the guest
  rating slips while nights booked climb (gaming); the refund wave of the week of 2026-11-09
  breaches refund_rate (`lodestar guard` reports it).
* music_streaming: from August a €0.99 promotion brings listening (hours rise) while
  subscription revenue falls (decoupled), and hours grow too slowly for the year-end target
  (off track).
* the other products grow steadily with every guardrail held, and each North Star leads its
  outcome: paid teams are billed a week after they message (team_messaging), learners renew two
  weeks after a good fortnight of lessons (online_learning), workspaces renew seats a week after
  the assistant saved them work (ai_assistant).
The script checks the guardrails itself, computing them independently of lodestar, and fails if
they do not hold with a margin (except the planned breach).
"""

import csv
import datetime as dt
import math
import os
import random
import sys

START = dt.datetime(2025, 11, 24)  # a Monday
WEEKS = 52
END = START + dt.timedelta(weeks=WEEKS) - dt.timedelta(seconds=1)  # Sunday 2026-11-22 23:59:59
BREACH_WEEK = 50  # 2026-11-09: refund wave in the marketplace
AUTUMN = 37  # 2026-08-10: the marketplace's autumn push and the streaming promotion start


def week_start(w):
    return START + dt.timedelta(weeks=w)


def ts(w, rng, lo_day=0, hi_day=7):
    """A random second inside week w (days [lo_day, hi_day) of it)."""
    span = (hi_day - lo_day) * 86400
    return week_start(w) + dt.timedelta(days=lo_day, seconds=rng.randrange(span))


def fmt(t):
    return t.strftime("%Y-%m-%d %H:%M:%S")


MONDAY_MIDNIGHT = 0  # offsets in a week
SUNDAY_LAST_SECOND = 7 * 86400 - 1


def edge(w, which):
    return week_start(w) + dt.timedelta(seconds=which)


def growth(w):
    """Steady growth: +1.6% a week, about 2.3 times over the year."""
    return 1.016**w


def b(x):
    """A boolean as CSV text; None is NULL."""
    return "" if x is None else ("true" if x else "false")


def write(out, table, header, rows):
    schema, name = table.split(".")
    path = os.path.join(out, schema, name + ".csv")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow(header)
        for r in rows:
            wr.writerow(["" if v is None else v for v in r])
    return path


def quantile_cont(values, p):
    """The continuous quantile (linear interpolation), as DuckDB's quantile_cont computes it."""
    v = sorted(values)
    if not v:
        return None
    pos = (len(v) - 1) * p
    lo = math.floor(pos)
    hi = math.ceil(pos)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def week_of(t):
    return (t - START).days // 7


class Checks:
    """Independent guardrail arithmetic: each guardrail holds with a margin, except the planned
    breach."""

    def __init__(self):
        self.failures = []

    def guard(self, product, metric, per_week, lo=None, hi=None, breach_weeks=(), margin=0.03):
        for w in range(WEEKS):
            v = per_week.get(w)
            if v is None:
                continue
            breached = (lo is not None and v < lo) or (hi is not None and v > hi)
            want = w in breach_weeks
            close = (lo is not None and abs(v - lo) <= margin * abs(lo)) or (
                hi is not None and abs(v - hi) <= margin * abs(hi)
            )
            if breached != want or close:
                self.failures.append(
                    "%s.%s week %s: %.5g (min %s, max %s)%s"
                    % (product, metric, week_start(w).date(), v, lo, hi,
                       " should be breached" if want else (" too close" if close else " breached"))
                )


def ratio(num, den):
    return {w: num.get(w, 0) / den[w] for w in den if den[w]}


# ------------------------------------------------------------------------------- marketplace

MARKETS = ["lisbon", "paris", "tokyo", "new_york", "mexico_city"]
DEVICES = ["iOS", "Android", "web", "WEB"]
COMMENTS = [
    "Lovely place, would stay again",
    'The "loft" was exactly as pictured, and very quiet',
    "Great host; quick replies",
    "Bit noisy at night, but a great location",
    "Spotless, comfortable bed",
    None,
]
NIGHTS = [1, 2, 2, 3, 3, 3, 4, 5, 7]


def marketplace_plan(rng):
    """The weekly plan: new hosts (noisy: campaigns come and go) and confirmed bookings, which
    grow, faster from the autumn push, and get a boost two weeks after a week of many new hosts."""
    base_hosts = [12 * growth(w) for w in range(WEEKS)]
    hosts = [max(3, round(base_hosts[w] * math.exp(rng.gauss(0, 0.3)))) for w in range(WEEKS)]
    confirmed = []
    for w in range(WEEKS):
        base = 45 * growth(min(w, AUTUMN)) * 1.035 ** max(0, w - AUTUMN)
        boost = 1.0 if w < 2 else 1 + 0.3 * (hosts[w - 2] / base_hosts[w - 2] - 1)
        confirmed.append(max(10, round(base * boost * math.exp(rng.gauss(0, 0.02)))))
    return hosts, confirmed


def rating_plan(w, rng):
    """The week's mean guest rating: steady, then slipping from late June as new hosts pour in."""
    slip = 0.0105 * max(0, w - 30)
    return 4.82 - slip + rng.gauss(0, 0.012)


def marketplace(out, checks):
    rng = random.Random("lodestar-examples:marketplace")
    new_hosts, confirmed_plan = marketplace_plan(rng)
    listings = []
    host = 0
    hosts = []
    for w in range(WEEKS):
        for _ in range(new_hosts[w]):
            host += 1
            hosts.append(host)
            listings.append([host, ts(w, rng), rng.choice(MARKETS), "active"])
        # An existing host lists a second home: a duplicate host_id.
        if w % 2 == 1:
            h = rng.choice(hosts)
            listings.append([h, ts(w, rng), rng.choice(MARKETS), "active"])
    listings.sort(key=lambda r: r[1])
    write(out, "lodging.listings", ["listing_id", "host_id", "listed_at", "market", "status"],
          [[i + 1, r[0], fmt(r[1]), r[2], r[3]] for i, r in enumerate(listings)])

    # Each week: its booking requests (confirmed, cancelled, refunded) and the searches they
    # came from; the share of searches that end in a request wanders on its own.
    statuses = {}
    searches = []
    conversion = random.Random("lodestar-examples:marketplace:search-conversion")
    for w in range(WEEKS):
        c = confirmed_plan[w]
        refunded = round(c * 0.075) if w == BREACH_WEEK else (1 if rng.random() < 0.6 else 0)
        week = ["confirmed"] * c + ["cancelled"] * round(c * 0.1) + ["refunded"] * refunded
        rng.shuffle(week)
        statuses[w] = week
        rate = 0.45 * math.exp(conversion.gauss(0, 0.08))
        for _ in range(round(len(week) / rate)):
            t = ts(w, rng)
            market = rng.choice(MARKETS) if rng.random() > 0.03 else None
            searches.append([t, rng.randrange(1, 3000), market, rng.choice(DEVICES), rng.randrange(1, 60)])
        # Week boundaries: a search at Monday 00:00:00 and one at Sunday 23:59:59.
        searches.append([edge(w, MONDAY_MIDNIGHT), 7, "lisbon", "web", 0])
        searches.append([edge(w, SUNDAY_LAST_SECOND), 8, "paris", "iOS", 0])
    searches.sort(key=lambda r: r[0])
    rows = []
    by_week = {}
    for i, (t, guest, market, device, results) in enumerate(searches):
        sid = i + 1
        rows.append([sid, fmt(t), guest, market, device, results])
        if results:
            by_week.setdefault(week_of(t), []).append((t, sid, guest, market, device))
    rows.insert(50, list(rows[49]))  # the same search logged twice
    write(out, "lodging.searches", ["search_id", "searched_at", "guest_id", "market", "device", "results"], rows)

    # A booking request within the hour of its search (in the same week).
    bookings = []
    for w in range(WEEKS):
        chosen = sorted(rng.sample(by_week[w], len(statuses[w])))
        for (t, sid, guest, market, device), status in zip(chosen, statuses[w]):
            bt = min(t + dt.timedelta(minutes=rng.randrange(1, 60)), edge(w, SUNDAY_LAST_SECOND))
            bookings.append([bt, guest, sid, market, device, status])
    bookings.sort(key=lambda r: r[0])
    out_rows = []
    nights_by = {}
    refunded_by = {}
    confirmed = []
    # Some weeks bring longer stays than others (a share of stays one night longer).
    longer = [min(1.0, max(0.0, rng.gauss(0.3, 0.2))) for w in range(WEEKS)]
    for i, (t, guest, sid, market, device, status) in enumerate(bookings):
        w = week_of(t)
        nights = rng.choice(NIGHTS) + (rng.random() < longer[w])
        if status == "refunded" and w != BREACH_WEEK:
            nights = 1  # short stays: a rare refund moves the rate little
        host_id = rng.choice(hosts[: max(5, sum(new_hosts[: w + 1]))])
        price = round(nights * rng.uniform(60, 220), 2)
        bid = i + 1
        out_rows.append([bid, fmt(t), guest, host_id, 1000 + host_id, sid, nights, price, status, market, device])
        if status == "confirmed":
            nights_by[w] = nights_by.get(w, 0) + nights
            confirmed.append((bid, t, nights, price, market))
        elif status == "refunded":
            refunded_by[w] = refunded_by.get(w, 0) + nights
    write(out, "lodging.bookings",
          ["booking_id", "booked_at", "guest_id", "host_id", "listing_id", "search_id", "nights",
           "price_usd", "status", "market", "device"], out_rows)
    checks.guard("marketplace", "refund_rate", ratio(refunded_by, nights_by), hi=0.02,
                 breach_weeks=(BREACH_WEEK,), margin=0.1)

    # Guests pay at check-in, 5 to 9 days after booking. Stays booked in the two weeks before
    # the data starts are paid in its first weeks: their booking is unknown (NULL).
    payments = []
    before = [(START - dt.timedelta(seconds=rng.randrange(14 * 86400)), rng.choice(NIGHTS), rng.choice(MARKETS))
              for _ in range(2 * confirmed_plan[0])]
    for t, nights, market in before:
        payments.append([t + dt.timedelta(days=5, seconds=rng.randrange(4 * 86400)), None,
                         round(nights * rng.uniform(60, 220), 2), market])
    for bid, t, _, price, market in confirmed:
        payments.append([t + dt.timedelta(days=5, seconds=rng.randrange(4 * 86400)), bid, price, market])
    payments = sorted((p for p in payments if START <= p[0] <= END), key=lambda p: p[0])
    write(out, "lodging.payments", ["payment_id", "paid_at", "booking_id", "amount_usd", "market"],
          [[i + 1, fmt(p[0])] + p[1:] for i, p in enumerate(payments)])

    reviews = []
    for bid, t, _, _, _ in confirmed:
        if rng.random() < 0.5:
            ct = t + dt.timedelta(days=rng.randrange(1, 4), seconds=rng.randrange(86400))
            if ct > END:
                continue
            reviews.append([ct, bid, None, rng.choice(COMMENTS)])
    # Each week's ratings in the shares that give the week's planned mean (a few 3s, 4s and 5s),
    # in random order; about one review in a hundred has no rating.
    week_reviews = {}
    for r in reviews:
        week_reviews.setdefault(week_of(r[0]), []).append(r)
    for w in sorted(week_reviews):
        rated = [r for r in week_reviews[w] if rng.random() > 0.01]
        n = len(rated)
        threes = round(0.03 * n)
        fives = min(n - threes, max(0, round(n * (rating_plan(w, rng) - 4) + threes)))
        ratings = [5] * fives + [3] * threes + [4] * (n - fives - threes)
        rng.shuffle(ratings)
        for r, rating in zip(rated, ratings):
            r[2] = rating
    reviews.sort(key=lambda r: r[0])
    write(out, "lodging.reviews", ["review_id", "booking_id", "created_at", "rating", "comment"],
          [[i + 1, r[1], fmt(r[0]), r[2], r[3]] for i, r in enumerate(reviews)])
    sums, counts = {}, {}
    for ct, _, rating, _ in reviews:
        if rating is not None:
            w = week_of(ct)
            sums[w] = sums.get(w, 0) + rating
            counts[w] = counts.get(w, 0) + 1
    checks.guard("marketplace", "avg_guest_rating", {w: sums[w] / counts[w] for w in counts}, lo=4.5, margin=0.005)


# ------------------------------------------------------------------------------- streaming

CONTEXTS = ["playlist", "playlist", "album", "radio", "discover", "search"]
COUNTRIES = ["PT", "FR", "JP", "US", "MX", "DE"]
PLANS = [("individual", 10.99), ("individual", 10.99), ("family", 16.99), ("student", 5.99)]


def listens_plan(w, rng):
    """Plays a week: slow growth, then faster from the promotion of 2026-08-10."""
    base = 130 * 1.006 ** min(w, AUTUMN) * 1.03 ** max(0, w - AUTUMN)
    return round(base * math.exp(rng.gauss(0, 0.08)))


def streaming(out, checks):
    rng = random.Random("lodestar-examples:streaming")
    listens = []
    for w in range(WEEKS):
        n = listens_plan(w, rng)
        users = n // 4
        depth = math.exp(rng.gauss(0, 0.06))  # how long people let tracks play this week
        skips = [True] * round(0.24 * n) + [False] * (n - round(0.24 * n))  # a skip rate near 24%
        rng.shuffle(skips)
        for skipped in skips:
            ms = rng.randrange(1000, 29000) if skipped else int(rng.randrange(30000, 300000) * depth)
            country = rng.choice(COUNTRIES) if rng.random() > 0.02 else None
            listens.append([ts(w, rng), rng.randrange(1, users + 1), rng.randrange(1, 5000), ms,
                            rng.choice(CONTEXTS), country, rng.choice(["iOS", "android", "Web", "desktop"]), skipped])
        listens.append([edge(w, MONDAY_MIDNIGHT), 1, 42, 215000, "album", "PT", "iOS", False])
        listens.append([edge(w, SUNDAY_LAST_SECOND), 2, 43, 12000, "radio", "FR", "web", True])
    listens.sort(key=lambda r: r[0])
    rows = [[i + 1, fmt(r[0])] + r[1:7] + [b(r[7])] for i, r in enumerate(listens)]
    for k in (100, 2000, 7000):  # double-logged plays: the same listen_id twice
        rows.insert(k, list(rows[k]))
    write(out, "music.listens",
          ["listen_id", "started_at", "user_id", "track_id", "ms_played", "context", "country", "device", "skipped"], rows)
    skips, total = {}, {}
    for r in rows:
        w = week_of(dt.datetime.strptime(r[1], "%Y-%m-%d %H:%M:%S"))
        total[w] = total.get(w, 0) + 1
        skips[w] = skips.get(w, 0) + (r[8] == "true")
    checks.guard("music_streaming", "skip_rate", ratio(skips, total), hi=0.35)

    starts = []
    for w in range(WEEKS):
        for _ in range(int(70 * growth(w) ** 0.5)):
            failed = rng.random() < 0.01
            startup = None if failed else int(min(rng.lognormvariate(math.log(450), 0.45), 1400))
            starts.append([ts(w, rng), rng.randrange(1, 400), startup, failed, rng.choice(["iOS", "android", "Web"])])
    starts.sort(key=lambda r: r[0])
    write(out, "music.playback_starts", ["request_id", "requested_at", "user_id", "startup_ms", "failed", "device"],
          [[i + 1, fmt(r[0]), r[1], r[2], b(r[3]), r[4]] for i, r in enumerate(starts)])
    by = {}
    for r in starts:
        if not r[3]:
            by.setdefault(week_of(r[0]), []).append(r[2])
    checks.guard("music_streaming", "p95_startup_ms", {w: quantile_cont(v, 0.95) for w, v in by.items()}, hi=1500)

    events = []
    for w in range(WEEKS):
        paid_starts = int(20 * growth(w) ** 0.5)
        for _ in range(paid_starts):
            events.append([ts(w, rng), rng.randrange(1, 2000), rng.choice(["individual", "family", "student"]), "start"])
        for _ in range(4):
            events.append([ts(w, rng), rng.randrange(1, 2000), "free", "start"])
        for _ in range(int(paid_starts * 0.4) + rng.randrange(-2, 3)):
            events.append([ts(w, rng), rng.randrange(1, 2000), rng.choice(["individual", "family", "student"]), "cancel"])
    events.sort(key=lambda r: r[0])
    write(out, "music.subscription_events", ["event_id", "occurred_at", "user_id", "plan", "event"],
          [[i + 1, fmt(r[0])] + r[1:] for i, r in enumerate(events)])
    st, ca = {}, {}
    for t, _, plan, ev in events:
        if plan != "free":
            d = st if ev == "start" else ca
            d[week_of(t)] = d.get(week_of(t), 0) + 1
    checks.guard("music_streaming", "cancellation_rate", ratio(ca, st), hi=0.6)

    # Subscribers are billed every four weeks, about a quarter of them each week. From the
    # promotion on, a growing share pays the promotional price.
    invoices = []
    for w in range(WEEKS):
        promo = 0.04 * max(0, w - AUTUMN + 1)
        for _ in range(60 + rng.randrange(-8, 9)):
            plan, price = ("promo", 0.99) if rng.random() < promo else rng.choice(PLANS)
            invoices.append([ts(w, rng), rng.randrange(1, 2000), plan, price])
    invoices.sort(key=lambda r: r[0])
    write(out, "music.invoices", ["invoice_id", "billed_at", "user_id", "plan", "amount_usd"],
          [[i + 1, fmt(r[0])] + r[1:] for i, r in enumerate(invoices)])


# ------------------------------------------------------------------------------- messaging


def messaging(out, checks):
    rng = random.Random("lodestar-examples:messaging")
    teams = []  # (team_id, created_at, members, activity, plan, region)
    user = 0
    for w in range(WEEKS):
        for _ in range((6 if w == 0 else 1) + (rng.random() < 0.2)):
            size = rng.choice([2, 3, 4, 5, 6])
            members = list(range(user + 1, user + size + 1))
            user += size
            teams.append((len(teams) + 1, ts(w, rng), members, rng.uniform(0.6, 1.0),
                          rng.choice(["free", "pro", "business"]), rng.choice(["eu", "us", "apac"])))
    write(out, "chat.teams", ["team_id", "created_at", "plan", "region", "seats"],
          [[t[0], fmt(t[1]), t[4], t[5], len(t[2])] for t in teams])

    messages = []
    for w in range(WEEKS):
        for team_id, created, members, activity, _, _ in teams:
            if created >= week_start(w + 1) or rng.random() > activity:
                continue
            lo = max(0, (created - week_start(w)).days) if created > week_start(w) else 0
            active = [m for m in members if rng.random() < 0.85]
            for m in active:
                for _ in range(rng.randrange(1, 3)):
                    messages.append([ts(w, rng, lo), team_id, m, False])
            if len(active) >= 4:  # the team's bot
                messages.append([ts(w, rng, lo), team_id, 900000 + team_id, True])
    messages.append([edge(3, MONDAY_MIDNIGHT), 1, teams[0][2][0], False])
    messages.append([edge(3, SUNDAY_LAST_SECOND), 1, teams[0][2][0], False])
    messages.sort(key=lambda r: r[0])
    rows, previous = [], {}
    threads = random.Random("lodestar-examples:messaging:threads")
    for i, (t, team_id, u, bot) in enumerate(messages):
        mid = i + 1
        thread = None
        if not bot and team_id in previous and threads.random() < 0.3:
            thread = previous[team_id]  # a reply in the thread of the team's last message
        previous[team_id] = mid
        rows.append([mid, fmt(t), team_id, "c%d-%d" % (team_id, rng.randrange(1, 4)), u, thread,
                     rng.choice(["Desktop", "iOS", "android", "web"]), b(bot), rng.randrange(2, 400)])
    write(out, "chat.messages",
          ["message_id", "sent_at", "team_id", "channel_id", "user_id", "thread_id", "client", "is_bot", "chars"], rows)
    bots, total = {}, {}
    for t, _, _, bot in messages:
        total[week_of(t)] = total.get(week_of(t), 0) + 1
        bots[week_of(t)] = bots.get(week_of(t), 0) + bot
    checks.guard("team_messaging", "bot_message_share", ratio(bots, total), hi=0.4)

    deliveries, lat, fails, count = [], {}, {}, {}
    for mid, sent, *_ in rows:
        t = dt.datetime.strptime(sent, "%Y-%m-%d %H:%M:%S")
        w = week_of(t)
        failed = count.get(w, 0) == 249  # one failed delivery in a week of 250 or more
        latency = None if failed else int(min(rng.lognormvariate(math.log(120), 0.6), 1900))
        d = min(t + dt.timedelta(milliseconds=latency or 0), edge(w, SUNDAY_LAST_SECOND))
        deliveries.append([mid, 700000 + mid % 997, fmt(d), latency, b(failed)])
        count[w] = count.get(w, 0) + 1
        fails[w] = fails.get(w, 0) + failed
        if latency is not None:
            lat.setdefault(w, []).append(latency)
    write(out, "chat.deliveries", ["message_id", "recipient_id", "delivered_at", "latency_ms", "failed"], deliveries)
    checks.guard("team_messaging", "p99_delivery_ms", {w: quantile_cont(v, 0.99) for w, v in lat.items()}, hi=2000)
    checks.guard("team_messaging", "delivery_failure_rate", ratio(fails, count), hi=0.005)

    # The outcome: paid teams are billed per seat in the week after a week they messaged with
    # three or more people (the North Star), so the North Star leads billed revenue by a week.
    billing = random.Random("lodestar-examples:messaging:invoices")
    people = {}
    for t, team_id, u, bot in messages:
        if not bot:
            people.setdefault((week_of(t), team_id), set()).add(u)
    plans = {t[0]: (t[4], len(t[2])) for t in teams}
    price = {"pro": 8.0, "business": 15.0}
    invoices = []
    for (w, team_id), users in sorted(people.items()):
        plan, seats = plans[team_id]
        if len(users) >= 3 and plan in price and w + 1 < WEEKS:
            invoices.append([ts(w + 1, billing, 0, 2), team_id, seats, seats * price[plan]])
    invoices.sort(key=lambda r: r[0])
    write(out, "chat.invoices", ["invoice_id", "billed_at", "team_id", "seats", "amount_usd"],
          [[i + 1, fmt(r[0])] + r[1:] for i, r in enumerate(invoices)])


# ------------------------------------------------------------------------------- learning

COURSES = ["sql-101", "python-basics", "statistics-1", "data-viz", "ml-intro"]


def learning(out, checks):
    rng = random.Random("lodestar-examples:learning")
    events = []
    for w in range(WEEKS):
        for _ in range(int(18 * growth(w))):
            learner = rng.randrange(1, 1200)
            course = rng.choice(COURSES)
            lesson = rng.randrange(1, 20)
            # Learners take more lessons, and finish more of them, as the product improves.
            lessons = 1 + sum(rng.random() < 0.2 + 0.006 * w for _ in range(5))
            for k in range(lessons):
                t = ts(w, rng, 0, 6)
                events.append([t, learner, course, "%s-%02d" % (course, lesson + k), "started", None, None])
                if rng.random() < 0.74 + 0.004 * w:
                    dur = rng.randrange(180, 1500)
                    score = None if rng.random() < 0.08 else round(rng.uniform(55, 100), 1)
                    events.append([t + dt.timedelta(seconds=dur), learner, course, "%s-%02d" % (course, lesson + k),
                                   "completed", score, dur])
    events.append([edge(5, MONDAY_MIDNIGHT), 1, "sql-101", "sql-101-01", "started", None, None])
    events.append([edge(5, SUNDAY_LAST_SECOND), 1, "sql-101", "sql-101-01", "completed", 92.5, 610])
    events.sort(key=lambda r: r[0])
    write(out, "learn.lesson_events",
          ["event_id", "event_at", "learner_id", "course_id", "lesson_id", "event", "score", "duration_s"],
          [[i + 1, fmt(r[0])] + r[1:] for i, r in enumerate(events)])
    sums, counts = {}, {}
    for t, _, _, _, ev, score, _ in events:
        if ev == "completed" and score is not None:
            sums[week_of(t)] = sums.get(week_of(t), 0) + score
            counts[week_of(t)] = counts.get(week_of(t), 0) + 1
    checks.guard("online_learning", "avg_quiz_score", {w: sums[w] / counts[w] for w in counts}, lo=70)

    enrollments = []
    for w in range(WEEKS):
        for _ in range(int(12 * growth(w))):
            plan = rng.choice(["free", "monthly", "monthly", "annual"])
            price = None if plan == "free" else (29.0 if plan == "monthly" else 240.0)
            enrollments.append([ts(w, rng), rng.randrange(1, 1200), rng.choice(COURSES), plan, price])
    enrollments.sort(key=lambda r: r[0])
    write(out, "learn.enrollments", ["enrollment_id", "enrolled_at", "learner_id", "course_id", "plan", "price_usd"],
          [[i + 1, fmt(r[0])] + r[1:] for i, r in enumerate(enrollments)])

    tickets = []
    for w in range(WEEKS):
        for _ in range(18 + rng.randrange(6)):
            minutes = int(min(rng.expovariate(1 / 55), 200))
            resolved = None if rng.random() < 0.1 else rng.random() < 0.9
            tickets.append([ts(w, rng), rng.randrange(1, 1200), rng.choice(["billing", "content", "access", "other"]),
                            minutes, resolved])
    tickets.sort(key=lambda r: r[0])
    write(out, "learn.support_tickets",
          ["ticket_id", "opened_at", "learner_id", "category", "first_response_minutes", "resolved"],
          [[i + 1, fmt(r[0])] + r[1:4] + [b(r[4])] for i, r in enumerate(tickets)])
    by = {}
    for r in tickets:
        by.setdefault(week_of(r[0]), []).append(r[3])
    checks.guard("online_learning", "p90_first_response_minutes", {w: quantile_cont(v, 0.9) for w, v in by.items()},
                 hi=240, margin=0.1)

    # The outcome: learners who get through more lessons renew their plan two weeks later, so
    # the North Star (lessons completed per learner) leads renewal revenue by two weeks.
    done, active = {}, {}
    for t, learner, _, _, ev, _, _ in events:
        active.setdefault(week_of(t), set()).add(learner)
        done[week_of(t)] = done.get(week_of(t), 0) + (ev == "completed")
    per_learner = {w: done.get(w, 0) / len(active[w]) for w in active}
    renewing = random.Random("lodestar-examples:learning:renewals")
    renewals = []
    for w in range(WEEKS):
        ns = per_learner[max(w - 2, 0)]  # the weeks before the data had the first week's pace
        for _ in range(round(20 * ns)):
            renewals.append([ts(w, renewing), renewing.randrange(1, 1200), 29.0])
    renewals.sort(key=lambda r: r[0])
    write(out, "learn.renewals", ["renewal_id", "renewed_at", "learner_id", "amount_usd"],
          [[i + 1, fmt(r[0])] + r[1:] for i, r in enumerate(renewals)])


# ------------------------------------------------------------------------------- assistant

NOTES = [
    "Saved me an hour",
    'Summary said "Q3" but the document covers Q4',
    "Wrong attachment, otherwise fine",
    "Perfect, sent as is",
    None,
]


def assistant(out, checks):
    rng = random.Random("lodestar-examples:assistant")
    tasks = []
    kinds = random.Random("lodestar-examples:assistant:task-kinds")
    for w in range(WEEKS):
        users = int(30 * growth(w))
        for _ in range(int(60 * growth(w))):
            multi = kinds.random() < 0.15
            r = rng.random()
            status = "completed" if r < 0.88 else ("failed" if r < 0.95 else "abandoned")
            corrected = (rng.random() < 0.34 - 0.002 * w) if status == "completed" else None
            latency = rng.randrange(8000, 26000) if multi else rng.randrange(1500, 12000)
            cost = round(rng.uniform(0.05, 0.2) if multi else rng.uniform(0.004, 0.03), 4)
            tasks.append([ts(w, rng), rng.randrange(1, users + 1), "ws-%d" % rng.randrange(1, 40),
                          "multi_step" if multi else rng.choice(["draft", "summarise", "answer"]), status, corrected,
                          rng.choice(["atlas-2", "atlas-3-mini"]), latency if status != "abandoned" else None, cost])
        tasks.append([edge(w, MONDAY_MIDNIGHT), 1, "ws-1", "draft", "completed", False, "atlas-2", 2100, 0.006])
        tasks.append([edge(w, SUNDAY_LAST_SECOND), 2, "ws-1", "answer", "completed", True, "atlas-2", 1700, 0.004])
    tasks.sort(key=lambda r: r[0])
    rows = [[i + 1, fmt(r[0])] + r[1:5] + [b(r[5])] + r[6:] for i, r in enumerate(tasks)]
    write(out, "assistant.tasks",
          ["task_id", "requested_at", "user_id", "workspace_id", "task_type", "status", "corrected", "model",
           "latency_ms", "cost_usd"], rows)
    n, cost, lat = {}, {}, {}
    for t in tasks:
        w = week_of(t[0])
        n[w] = n.get(w, 0) + 1
        cost[w] = cost.get(w, 0) + t[8]
        if t[4] == "completed":
            lat.setdefault(w, []).append(t[7] / 1000.0)
    checks.guard("ai_assistant", "cost_per_task", ratio(cost, n), hi=0.05)
    checks.guard("ai_assistant", "p95_latency_s", {w: quantile_cont(v, 0.95) for w, v in lat.items()}, hi=30)

    feedback, flagged = [], {}
    for r in rows:
        if rng.random() < 0.2:
            t = dt.datetime.strptime(r[1], "%Y-%m-%d %H:%M:%S")
            w = week_of(t)
            t = min(t + dt.timedelta(minutes=rng.randrange(1, 120)), edge(w, SUNDAY_LAST_SECOND))
            # No output was flagged this year: at 60 to 140 tasks a week, a single flag would be
            # over the 0.3% maximum.
            harmful = False
            feedback.append([t, r[0], r[2], rng.choice([1, 1, 1, -1]), harmful, rng.choice(NOTES)])
    feedback.sort(key=lambda r: r[0])
    write(out, "assistant.feedback",
          ["feedback_id", "submitted_at", "task_id", "user_id", "rating", "flagged_harmful", "note"],
          [[i + 1, fmt(r[0]), r[1], r[2], r[3], b(r[4]), r[5]] for i, r in enumerate(feedback)])
    checks.guard("ai_assistant", "harmful_output_rate", ratio(flagged, n), hi=0.003, margin=0.1)

    # The outcome: a workspace renews its seats when the assistant saved its people work, so
    # the North Star (tasks completed without correction) leads seat renewals by a week.
    uncorrected = {}
    for t in tasks:
        if t[4] == "completed" and t[5] is False:
            uncorrected[week_of(t[0])] = uncorrected.get(week_of(t[0]), 0) + 1
    renewing = random.Random("lodestar-examples:assistant:renewals")
    renewals = []
    for w in range(WEEKS):
        for _ in range(round(uncorrected[max(w - 1, 0)] / 3)):
            renewals.append([ts(w, renewing), "ws-%d" % renewing.randrange(1, 40), renewing.choice([1, 2, 5])])
    renewals.sort(key=lambda r: r[0])
    write(out, "assistant.renewals", ["renewal_id", "renewed_at", "workspace_id", "seats"],
          [[i + 1, fmt(r[0])] + r[1:] for i, r in enumerate(renewals)])


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    out = argv[1] if len(argv) > 1 else os.path.join(here, "data")
    checks = Checks()
    for product in (marketplace, streaming, messaging, learning, assistant):
        product(out, checks)
    if checks.failures:
        print("the generated data does not tell the intended story:", file=sys.stderr)
        for f in checks.failures:
            print("  " + f, file=sys.stderr)
        return 1
    total = 0
    for root, _, files in os.walk(out):
        for f in files:
            total += os.path.getsize(os.path.join(root, f))
    print("wrote %s (%.1f MB)" % (out, total / 1e6), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
