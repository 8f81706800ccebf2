from tests.integration.conftest import SLEEPER


def test_up_d_then_ps_lists_running_container(project):
    project.write(f"""
        web:
          image: busybox
          command: {SLEEPER}
        """)
    project.fig("up", "-d", check=True)
    ps = project.fig("ps", check=True)
    assert project.container_name("web") in ps.stdout
    assert "Up" in ps.stdout
