module.exports = require('./tiers.cjs').config('unit');
