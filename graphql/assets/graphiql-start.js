// Starts GraphiQL (a file of its own, not an inline script, so that the page's
// Content-Security-Policy can allow scripts from this server only).
(function () {
  var fetcher = GraphiQL.createFetcher({ url: '/graphql' });
  var defaultQuery = [
    '# hire persons by district and month, with year-on-year change',
    'query {',
    '  metrics(indicators: ["hire_persons"], dimensions: ["district"], grain: MONTH,',
    '          timeRange: { from: "2025-01-01", to: "2025-03-31" }, compare: [YOY]) {',
    '    columns',
    '    rows',
    '  }',
    '}',
    ''
  ].join('\n');
  var defaultHeaders = JSON.stringify(
    { Authorization: 'Bearer <paste the token from jiuye token create>' },
    null,
    2
  );
  // Tabs and queries may be kept in the browser; credentials never are: headers live
  // in memory only and are gone when the page closes.
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      defaultHeaders: defaultHeaders,
      shouldPersistHeaders: false,
      isHeadersEditorEnabled: true,
      defaultEditorToolsVisibility: 'headers'
    })
  );
})();
