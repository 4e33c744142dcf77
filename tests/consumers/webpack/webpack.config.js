module.exports = { mode: 'production', performance: { assetFilter: (file) => !file.endsWith('.wasm') } };
