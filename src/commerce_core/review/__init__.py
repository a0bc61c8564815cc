"""Reviews and ratings of products by the customers who received them: submission by verified
purchasers only, automatic and staff moderation, helpful votes, reports, merchant replies, and
each product's rating summary (docs/reviews.md, ADR 0031)."""
