//! The example site at the repository root builds.

use crate::support::TestSite;

#[test]
fn example_site_builds_with_a_second_blog_page() {
    let site = TestSite::from_example_site();
    site.build().success();
    assert!(site.output("index.html").exists());
    assert!(site.output("blog/index.html").exists());
    assert!(site.output("blog/page/2/index.html").exists(), "{}", site.output_tree());
}
