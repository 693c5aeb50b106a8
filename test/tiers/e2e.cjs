module.exports = require('./tiers.cjs').config('e2e');
