// Examples panel and per-token prompt view: filled from the <script type="application/json" id="examples"> block.
var EXAMPLES = (function () {
  var X = JSON.parse(document.getElementById('examples').textContent || '{}');
  return {
    show: function (n) {
      var body = $('examples-body');
      if (!X.enabled) { body.textContent = 'no examples embedded' + (X.reason ? ': ' + X.reason : ''); return; }
      body.textContent = n ? 'examples of ' + n.id : 'Click a node.';
    }
  };
})();
