"""Inbound feeds of other registers (issue #14 item 5); see `base` and docs/exchange.md."""


def register_all() -> None:
    """Make every feed known (called from the app's ready())."""
    from edureg.exchange.feeds.base import feed_register
    from edureg.exchange.feeds.exam_centre import ExamCentreFeed
    from edureg.exchange.feeds.foreigners import ForeignersFeed
    from edureg.exchange.feeds.population import PopulationFeed
    from edureg.exchange.feeds.students import LoansFeed, SupportFeed

    for feed in (PopulationFeed(), ForeignersFeed(), ExamCentreFeed(), LoansFeed(), SupportFeed()):
        feed_register(feed)
