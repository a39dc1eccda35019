/* Full-text search of the web edition (pressout.export.search): reads the static index
   under search/ and shows the articles that hold every word of the query. Plain
   JavaScript, nothing fetched from anywhere but this site. search.html?q=… searches on
   opening; the form submits to the same page.

   The index's words are character bigrams of the folded text (NFKC, then case folding);
   see the Python module's docstring for its files. Each shard (a year, newest first) is
   read in turn, only the files of its postings that hold the query's characters; the
   results are shown as they come: the articles whose headline has the words first, then
   the others, newer first. A shown result's row of the shard's table is read then, and
   its page, for the snippet, which also checks that the words are there as they are
   (bigrams alone can match apart): a result whose page lacks them is dropped. */
(function () {
  "use strict";

  var ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
  var DIGIT = {};
  for (var i = 0; i < ALPHABET.length; i++) DIGIT[ALPHABET.charAt(i)] = i;
  var RUN = /[\p{L}\p{N}]+/gu; // letters and digits: Python's [^\W_]
  var PAGE_SIZE = 20; // results shown at a time
  var BEFORE = 30, AFTER = 70; // characters of a snippet around its first match
  var foldTable = new Map(); // the manifest's "fold": what toLowerCase leaves and case folding changes

  function setFold(table) {
    foldTable = new Map(Object.entries(table || {}));
  }

  /* NFKC, then case folding (toLowerCase and the table): the index's fold. */
  function fold(text) {
    var lower = text.normalize("NFKC").toLowerCase();
    if (!foldTable.size) return lower;
    var out = "";
    for (var ch of lower) out += foldTable.has(ch) ? foldTable.get(ch) : ch;
    return out;
  }

  /* A query's terms: its runs of letters and digits, folded, each once. */
  function terms(query) {
    var found = fold(query).match(RUN) || [];
    return found.filter(function (term, n) { return found.indexOf(term) === n; });
  }

  /* The keys of a text (Python's keys_of): every bigram of each run and the run's last
     character alone. */
  function keysOf(text) {
    var keys = new Set();
    (fold(text).match(RUN) || []).forEach(function (run) {
      var chars = Array.from(run);
      for (var n = 0; n + 1 < chars.length; n++) keys.add(chars[n] + chars[n + 1]);
      keys.add(chars[chars.length - 1]);
    });
    return Array.from(keys).sort(function (a, b) {
      var x = Array.from(a).map(codePoint), y = Array.from(b).map(codePoint);
      for (var n = 0; n < Math.min(x.length, y.length); n++) if (x[n] !== y[n]) return x[n] - y[n];
      return x.length - y.length;
    });
  }

  function codePoint(ch) { return ch.codePointAt(0); }

  /* The file of a shard that holds the keys beginning with ch: as bucket_of in Python. */
  function bucketOf(ch, buckets) {
    var h = Math.imul(ch.codePointAt(0), 0x9E3779B1) >>> 0;
    return Math.floor(h * buckets / 4294967296);
  }

  /* A posting list's article numbers (base-32 differences, see encode_postings). */
  function decode(text) {
    var out = [], value = 0, previous = -1;
    for (var n = 0; n < text.length; n++) {
      var digit = DIGIT[text.charAt(n)];
      if (digit >= 32) {
        value = value * 32 + digit - 32;
      } else {
        previous += value * 32 + digit;
        out.push(previous);
        value = 0;
      }
    }
    return out;
  }

  function intersect(a, b) {
    var out = [], x = 0, y = 0;
    while (x < a.length && y < b.length) {
      if (a[x] < b[y]) x++;
      else if (a[x] > b[y]) y++;
      else { out.push(a[x]); x++; y++; }
    }
    return out;
  }

  function union(lists) {
    var seen = new Set();
    lists.forEach(function (list) { list.forEach(function (n) { seen.add(n); }); });
    return Array.from(seen).sort(function (a, b) { return a - b; });
  }

  // --- reading the index ---------------------------------------------------------------------

  var TITLE = "^"; // before the second character of a key: the postings of the headlines
  var files = new Map();

  function getJSON(url) {
    if (!files.has(url)) {
      files.set(url, fetch(url).then(function (response) {
        if (!response.ok) throw new Error(url + ": " + response.status);
        return response.json();
      }));
    }
    return files.get(url);
  }

  function shardFile(folder, shard, suffix) {
    return new URL(shard.name + "-" + suffix + ".json?v=" + encodeURIComponent(shard.v), folder).href;
  }

  /* The files of a shard a query needs: the buckets of its terms' characters, by number. */
  function buckets(folder, shard, words) {
    var wanted = new Map();
    words.forEach(function (term) {
      var chars = Array.from(term);
      (chars.length === 1 ? chars : chars.slice(0, -1)).forEach(function (ch) {
        var n = bucketOf(ch, shard.buckets);
        if (!wanted.has(n)) wanted.set(n, getJSON(shardFile(folder, shard, n.toString(16).padStart(2, "0"))));
      });
    });
    var numbers = Array.from(wanted.keys());
    return Promise.all(Array.from(wanted.values())).then(function (loaded) {
      var out = new Map();
      numbers.forEach(function (n, k) { out.set(n, loaded[k]); });
      return out;
    });
  }

  /* The numbers of a shard's articles that have every key of the terms (title: in their
     headlines), from its buckets: as SearchIndex.matches in Python. */
  function matches(shard, files, words, title) {
    function keysFrom(ch) { return files.get(bucketOf(ch, shard.buckets))[ch] || {}; }
    var mark = title ? TITLE : "";
    var found = null;
    for (var t = 0; t < words.length; t++) {
      var chars = Array.from(words[t]), these;
      if (chars.length === 1) {
        var keys = keysFrom(chars[0]);
        these = union(Object.keys(keys).filter(function (second) {
          return (second.charAt(0) === TITLE) === title;
        }).map(function (second) { return decode(keys[second]); }));
      } else {
        these = null;
        for (var k = 0; k + 1 < chars.length; k++) {
          var posting = keysFrom(chars[k])[mark + chars[k + 1]];
          var some = posting === undefined ? [] : decode(posting);
          these = these === null ? some : intersect(these, some);
          if (!these.length) break;
        }
      }
      found = found === null ? these : intersect(found, these);
      if (!found.length) return [];
    }
    return found || [];
  }

  /* A file of a shard's table as its articles, in number order. */
  function rows(table) {
    var out = [];
    table.issues.forEach(function (issue) {
      issue[3].forEach(function (article) {
        var id = article[0].charAt(0) === "-" ? issue[0] + article[0] : article[0];
        out.push({ id: id, url: "issues/" + issue[0] + "/" + id + ".html", title: article[1],
                   issue: issue[1], date: issue[2] });
      });
    });
    return out;
  }

  // --- showing the results ------------------------------------------------------------

  /* The folded text with, for each of its UTF-16 units, where in text it came from. */
  function foldMap(text) {
    var folded = "", origin = [], at = 0;
    for (var ch of text) {
      var f = fold(ch);
      for (var n = 0; n < f.length; n++) origin.push(at);
      folded += f;
      at += ch.length;
    }
    origin.push(at);
    return { folded: folded, origin: origin };
  }

  /* The spans of text (start, end: UTF-16 offsets) where a term is. */
  function spans(text, words) {
    var map = foldMap(text), out = [];
    words.forEach(function (term) {
      var from = map.folded.indexOf(term);
      while (from !== -1) {
        out.push([map.origin[from], map.origin[from + term.length]]);
        from = map.folded.indexOf(term, from + term.length);
      }
    });
    out.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var merged = [];
    out.forEach(function (span) {
      var last = merged[merged.length - 1];
      if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
      else merged.push(span.slice());
    });
    return merged;
  }

  /* text into element, the terms in <mark>. */
  function marked(element, text, words) {
    var at = 0;
    spans(text, words).forEach(function (span) {
      element.appendChild(document.createTextNode(text.slice(at, span[0])));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(span[0], span[1]);
      element.appendChild(mark);
      at = span[1];
    });
    element.appendChild(document.createTextNode(text.slice(at)));
    return element;
  }

  /* The blocks of text of an article's page, as the index reads them. */
  function blocks(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var article = page.querySelector("article.item") || page.querySelector("main") || page.body;
    return Array.from(article.querySelectorAll("h1, h2, p, figcaption")).map(function (element) {
      return { text: element.textContent, body: !element.closest("header") };
    });
  }

  /* The snippet of an article for the terms, or null when its text lacks one of them. */
  function snippet(html, words) {
    var parts = blocks(html);
    var folded = parts.map(function (part) { return fold(part.text); }).join("\n");
    if (!words.every(function (term) { return folded.indexOf(term) !== -1; })) return null;
    var body = parts.filter(function (part) { return part.body; });
    var hit = null, start = 0;
    for (var t = 0; t < words.length && hit === null; t++) {
      for (var n = 0; n < body.length; n++) {
        var found = spans(body[n].text, [words[t]]);
        if (found.length) { hit = body[n]; start = found[0][0]; break; }
      }
    }
    if (hit === null) { hit = body[0] || parts[0] || { text: "" }; start = 0; }
    var chars = Array.from(hit.text.slice(0, start)).length;
    var all = Array.from(hit.text);
    var from = Math.max(0, chars - BEFORE);
    var text = all.slice(from, chars + AFTER).join("");
    return (from > 0 ? "…" : "") + text + (chars + AFTER < all.length ? "…" : "");
  }

  function run(main, query) {
    var status = document.getElementById("search-status");
    var list = document.getElementById("search-results");
    var more = document.getElementById("search-more");
    var manifestUrl = new URL(main.getAttribute("data-index"), document.baseURI);
    var folder = new URL(".", manifestUrl);
    var ranked = [], others = []; // {shard, n}: in the headline first, then the rest; newest first
    var rejected = new Set(), items = new Map(), tables = new Map();
    var shown = PAGE_SIZE, words = [], done = false, rowsPerFile = 1, drawn = 0;

    function say(text) { status.textContent = text; }

    function key(entry) { return entry.shard.name + ":" + entry.n; }

    function found() {
      return ranked.concat(others).filter(function (entry) { return !rejected.has(key(entry)); });
    }

    /* The article an entry is (from its shard's table, read when first needed). */
    function row(entry) {
      var file = shardFile(folder, entry.shard, "t" + Math.floor(entry.n / rowsPerFile));
      if (!tables.has(file)) {
        tables.set(file, getJSON(file).then(function (table) { return { first: table.first, rows: rows(table) }; }));
      }
      return tables.get(file).then(function (table) { return table.rows[entry.n - table.first]; });
    }

    function item(entry, hit) {
      var name = key(entry);
      if (items.has(name)) return items.get(name);
      var li = document.createElement("li");
      li.className = "search-hit";
      var link = document.createElement("a");
      link.href = hit.url;
      li.appendChild(marked(link, hit.title, words));
      var issue = document.createElement("span");
      issue.className = "search-issue";
      issue.textContent = hit.issue;
      li.appendChild(document.createTextNode(" "));
      li.appendChild(issue);
      var text = document.createElement("p");
      text.className = "search-snippet";
      li.appendChild(text);
      items.set(name, li);
      // The article's page: its snippet, and the check that the words are there as one.
      fetch(new URL(hit.url, document.baseURI).href).then(function (response) {
        return response.ok ? response.text() : null;
      }).then(function (html) {
        var part = html === null ? "" : snippet(html, words);
        if (part === null) {
          rejected.add(name);
          render();
        } else {
          marked(text, part, words);
        }
      }).catch(function () { /* the page could not be read: the result stays, without a snippet */ });
      return li;
    }

    function count(n) {
      var what = "“" + words.join(" ") + "”";
      if (!done) return "正在搜索……已找到 " + n + " 篇";
      return n ? "找到 " + n + " 篇含" + what + "的文章" : "没有找到含" + what + "的文章。";
    }

    function render() {
      var turn = ++drawn;
      var all = found(), visible = all.slice(0, shown);
      return Promise.all(visible.map(row)).then(function (hits) {
        if (turn !== drawn) return; // a later drawing is under way
        list.replaceChildren.apply(list, visible.map(function (entry, k) { return item(entry, hits[k]); }));
        more.hidden = all.length <= shown;
        say(count(all.length));
      });
    }

    more.querySelector("button").addEventListener("click", function () {
      shown += PAGE_SIZE;
      render();
    });

    say("正在读取索引……");
    return fetch(manifestUrl.href, { cache: "no-cache" }).then(function (response) {
      if (!response.ok) throw new Error(manifestUrl.pathname + ": " + response.status);
      return response.json();
    }).then(function (manifest) {
      setFold(manifest.fold);
      rowsPerFile = manifest.rows;
      words = terms(query);
      if (!words.length) { done = true; say("请输入要找的汉字、字母或数字。"); return; }
      var chain = Promise.resolve();
      manifest.shards.forEach(function (shard) {
        chain = chain.then(function () {
          return buckets(folder, shard, words).then(function (loaded) {
            var numbers = matches(shard, loaded, words, false);
            if (!numbers.length) return;
            var titled = new Set(matches(shard, loaded, words, true));
            numbers.forEach(function (n) { (titled.has(n) ? ranked : others).push({ shard: shard, n: n }); });
            return render();
          });
        });
      });
      return chain.then(function () { done = true; return render(); });
    }).catch(function (error) {
      say("无法读取搜索索引（" + error.message + "）。请通过网站打开本页。");
    });
  }

  function start() {
    var main = document.querySelector("main.search");
    if (!main) return;
    var query = new URLSearchParams(window.location.search).get("q") || "";
    var input = document.getElementById("search-q");
    input.value = query;
    if (!query.trim()) {
      document.getElementById("search-status").textContent = "输入要找的字词，如人名、地名或事件。";
      input.focus();
      return;
    }
    document.title = query + " - " + document.title;
    run(main, query);
  }

  window.pressoutSearch = { fold: fold, terms: terms, keysOf: keysOf, bucketOf: bucketOf, decode: decode,
                            setFold: setFold, snippet: snippet };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
