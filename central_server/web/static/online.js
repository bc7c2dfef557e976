// The online submission's form, improved: photos are shrunk on the phone and every file goes
// up in resumable pieces, so a lost connection resumes where it stopped. Without this script
// the same form posts its files whole and works the same.
(function () {
  "use strict";
  var form = document.getElementById("online-form");
  if (!form || !window.fetch || !window.Blob) return;
  var token = form.getAttribute("data-token");
  var base = "/ban-nhap/" + form.getAttribute("data-draft");
  var LONG = 2400;

  function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }

  function shrink(file) {
    if (!/^image\/(jpeg|png|webp)$/.test(file.type) || !window.createImageBitmap) return Promise.resolve(file);
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bmp) {
      var k = Math.min(1, LONG / Math.max(bmp.width, bmp.height));
      var c = document.createElement("canvas");
      c.width = Math.round(bmp.width * k); c.height = Math.round(bmp.height * k);
      c.getContext("2d").drawImage(bmp, 0, 0, c.width, c.height);
      return new Promise(function (res) {
        c.toBlob(function (b) { res(b && b.size < file.size ? b : file); }, "image/jpeg", 0.85);
      });
    }).catch(function () { return file; });
  }

  function headers(extra) {
    var h = { "X-Draft-Token": token };
    for (var k in extra) h[k] = extra[k];
    return h;
  }

  async function offsetOf(id) {
    var r = await fetch(base + "/tai-len/" + id, { method: "HEAD", headers: headers({}) });
    if (!r.ok) throw new Error("lost");
    return parseInt(r.headers.get("Upload-Offset") || "0", 10);
  }

  async function upload(blob, name, component, show) {
    var r = await fetch(base + "/tai-len", { method: "POST", headers: headers({ "Content-Type": "application/json" }),
      body: JSON.stringify({ component: component, size: blob.size, name: name }) });
    var j = await r.json();
    if (!r.ok) throw new Error(j.error || r.status);
    var id = j.id, piece = j.piece, offset = 0, wait = 500;
    while (true) {
      show(Math.floor(100 * offset / blob.size));
      try {
        r = await fetch(base + "/tai-len/" + id + "?offset=" + offset, { method: "PUT",
          headers: headers({ "Content-Type": "application/octet-stream" }), body: blob.slice(offset, offset + piece) });
      } catch (e) {  // the network dropped: wait, ask where the server stands, go on from there
        await sleep(wait); wait = Math.min(wait * 2, 10000);
        try { offset = await offsetOf(id); } catch (e2) { /* still offline */ }
        continue;
      }
      j = await r.json().catch(function () { return {}; });
      if (r.status === 200 || r.status === 409) {
        wait = 500; offset = j.offset;
        if (j.done) return j.file;
        continue;
      }
      if (r.status === 429 || r.status >= 500) { await sleep(wait); wait = Math.min(wait * 2, 10000); continue; }
      throw new Error(j.error || r.status);
    }
  }

  function saveAndReload() {  // keep what was typed; the page comes back with the new files listed
    var action = document.createElement("input");
    action.type = "hidden"; action.name = "action"; action.value = "save";
    form.appendChild(action);
    form.submit();
  }

  var card = document.getElementById("idcard");  // the ID card's photo: read at once by the server
  if (card) card.addEventListener("change", function () { if (card.files.length) saveAndReload(); });

  Array.prototype.forEach.call(form.querySelectorAll(".paper input[type=file]"), function (input) {
    input.addEventListener("change", async function () {
      var box = input.parentNode, status = box.querySelector(".progress");
      var component = parseInt(box.getAttribute("data-component"), 10);
      var files = Array.prototype.slice.call(input.files);
      input.disabled = true;
      var failed = [];
      for (var i = 0; i < files.length; i++) {
        var f = files[i];
        try {
          status.textContent = f.name + "…";
          var blob = await shrink(f);
          await upload(blob, f.name, component, function (p) { status.textContent = f.name + ": " + p + "%"; });
        } catch (e) { failed.push(f.name + ": " + e.message); }
      }
      input.value = ""; input.disabled = false;
      if (failed.length) { status.textContent = failed.join(" · "); status.classList.add("error"); }
      else { saveAndReload(); }
    });
  });
})();
