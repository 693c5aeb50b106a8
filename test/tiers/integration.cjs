module.exports = require('./tiers.cjs').config('integration');
